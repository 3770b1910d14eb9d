/**
 * Shoal's transport over Azure Service Bus queues: {@link dev.shoal.azure.servicebus.ServiceBusTransport},
 * its provider "servicebus", and {@link dev.shoal.azure.servicebus.ServiceBusClients} for its settings.
 */
package dev.shoal.azure.servicebus;
