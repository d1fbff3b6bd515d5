/**
 * TorchScript import (name mapping and forward check) and export of MLPs and conv nets.
 */
package io.ispasp.model.torchscript;
