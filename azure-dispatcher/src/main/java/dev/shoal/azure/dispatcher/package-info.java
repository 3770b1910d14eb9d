/** The dispatcher hosted by an Azure Function: thin triggers over the one scaling step. */
package dev.shoal.azure.dispatcher;
