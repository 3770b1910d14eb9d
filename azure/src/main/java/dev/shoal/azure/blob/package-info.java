/** Payloads in Azure Blob storage, the claim-check store of Shoal on Azure ({@code azblob:} references). */
package dev.shoal.azure.blob;
