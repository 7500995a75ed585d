/*
 * Driver for the host's virtio-console (QEMU `virtio-serial-device` on a
 * virtio-mmio slot, modern interface) with the MULTIPORT feature: hvscope's
 * gdbstub talks to one debugger per port (port N serves VM N, a QEMU
 * `virtserialport` with `nr=N` on a unix socket).  Received data and
 * connection changes are delivered from virtio_console_poll(), called when
 * the device interrupts; writes are synchronous.
 */
#ifndef DRIVERS_VIRTIO_CONSOLE_H
#define DRIVERS_VIRTIO_CONSOLE_H

#include "spec/board.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VCONS_PORTS VM_MAX /* ports 1..VM_MAX: one per VM */

typedef void (*vcons_rx_fn)(unsigned port, const uint8_t *data, size_t len);
typedef void (*vcons_open_fn)(unsigned port, bool host_connected);

struct virtio_mmio_slots;
/* Probe the virtio-mmio slots; prints one boot line either way.  True if found. */
bool virtio_console_init(const struct virtio_mmio_slots *slots);
/* Its interrupt in the host PLIC (0: no device). */
unsigned virtio_console_irq(void);
/* Take what the device has sent: data for ports, host connects/disconnects. */
void virtio_console_poll(vcons_rx_fn rx, vcons_open_fn open);
/* Send len bytes on port (dropped when the device is missing or broken). */
void virtio_console_write(unsigned port, const void *data, size_t len);

#endif
