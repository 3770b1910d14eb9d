/** Azure Functions as Shoal's burst workers: the switch that turns a worker function on and off. */
package dev.shoal.azure.functions;
