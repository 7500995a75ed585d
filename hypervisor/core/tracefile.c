/*
 * The trace file's header and its sink.  The header is text, so `head` shows
 * it: the format version, the timebase, the harts, the VMs and the record
 * layout (from TRACE_RECORD_FIELDS, the one C definition), then "end" and
 * the 64-byte records, in chunks of half a ring per hart (trace/stream.c).
 */
#include "core/tracefile.h"
#include "core/vm.h"
#include "core/host.h"
#include "drivers/semihost.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "trace/trace.h"

#define TRACEFILE_HEADER_MAX 4096

static char path[128];
static long fd = -1;
static char header[TRACEFILE_HEADER_MAX];

static const char *const kind_names[] = { TRACE_KIND_NAMES };
static const char *const vm_event_names[] = { TRACE_VM_EVENT_NAMES };
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == TRACE_KIND_COUNT, "a name per kind");
_Static_assert(sizeof(vm_event_names) / sizeof(vm_event_names[0]) == TRACE_VM_EVENT_COUNT, "a name per event");

void tracefile_init(const char *logdir)
{
	if (logdir)
		snprintf(path, sizeof(path), "%s/trace.hvt", logdir);
}

const char *tracefile_path(void)
{
	return path;
}

static long sink_write(void *ctx, const void *buf, uint64_t len)
{
	(void)ctx;
	return semihost_write(fd, buf, len);
}

#define FIELD_LINE(name, count) \
	n += snprintf(header + n, sizeof(header) - n, "field %s %u %u %u\n", #name, \
		      (unsigned)offsetof(struct trace_record, name), \
		      (unsigned)(sizeof(((struct trace_record *)0)->name) / (count)), (unsigned)(count));

/* The header, padded with newlines so that the records start 64-byte aligned. */
static size_t build_header(void)
{
	size_t n = 0;

	n += snprintf(header + n, sizeof(header) - n, "HVTRACE %d\nrecord_size %u\ntimebase_hz %lu\nring_records %u\n",
		      TRACE_FORMAT_VERSION, (unsigned)sizeof(struct trace_record), host.timebase, TRACE_RING_SIZE);
	n += snprintf(header + n, sizeof(header) - n, "harts %u\n", host.hart_count);
	TRACE_RECORD_FIELDS(FIELD_LINE)
	for (unsigned k = 0; k < TRACE_KIND_COUNT; k++)
		n += snprintf(header + n, sizeof(header) - n, "kind %u %s\n", k, kind_names[k]);
	for (unsigned k = 0; k < TRACE_VM_EVENT_COUNT; k++)
		n += snprintf(header + n, sizeof(header) - n, "vm_event %u %s\n", k, vm_event_names[k]);
	for (unsigned i = 0; i < vm_count && n < sizeof(header); i++)
		n += snprintf(header + n, sizeof(header) - n, "vm %d %s vcpus %u\n", vms[i].id, vms[i].name,
			      vms[i].vcpu_count);
	while ((n + 4) % sizeof(struct trace_record) && n < sizeof(header) - 5)
		header[n++] = '\n';
	n += snprintf(header + n, sizeof(header) - n, "end\n");
	return n;
}

int tracefile_open(void)
{
	static const struct trace_sink sink = { sink_write, 0 };
	size_t len;

	if (trace_stream_is_open()) {
		trace_stream_set(true);
		return 0;
	}
	if (!path[0])
		return -1;
	fd = semihost_open(path, 4);
	if (fd < 0)
		return -1;
	len = build_header();
	trace_stream_open(&sink, header, len);
	return 0;
}
