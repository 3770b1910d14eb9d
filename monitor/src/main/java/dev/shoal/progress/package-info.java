/** A one-line progress bar for runs watched from a terminal. */
package dev.shoal.progress;
