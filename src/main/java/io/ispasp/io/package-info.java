/**
 * Small I/O helpers: JSON, output transactions (atomic writes), scratch files that leave no name behind, checked
 * input and output streams and zip integrity.
 */
package io.ispasp.io;
