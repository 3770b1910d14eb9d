/** Shoal on Microsoft Azure: the Service Bus transport, the VM scale-set provider, and what the Function dispatcher needs. */
package dev.shoal.azure;
