/** The watchers a configuration asks for, made from its {@code monitoring:} section. */
package dev.shoal.monitoring;
