/* SBI calls (RISC-V Supervisor Binary Interface spec v2.0 names). */
#ifndef GT_SBI_H
#define GT_SBI_H

#include <stdint.h>

struct sbiret {
	long error;
	long value;
};

/* Extension IDs (spec chapter per extension). */
#define SBI_EXT_LEGACY_SET_TIMER       0x00
#define SBI_EXT_LEGACY_CONSOLE_PUTCHAR 0x01
#define SBI_EXT_LEGACY_CONSOLE_GETCHAR 0x02
#define SBI_EXT_BASE		       0x10
#define SBI_EXT_TIME		       0x54494D45 /* "TIME" */
#define SBI_EXT_IPI		       0x735049	  /* "sPI" */
#define SBI_EXT_RFENCE		       0x52464E43 /* "RFNC" */
#define SBI_EXT_HSM		       0x48534D	  /* "HSM" */
#define SBI_EXT_SRST		       0x53525354 /* "SRST" */
#define SBI_EXT_PMU		       0x504D55	  /* "PMU" */
#define SBI_EXT_DBCN		       0x4442434E /* "DBCN" */
#define SBI_EXT_SUSP		       0x53555350 /* "SUSP" */
#define SBI_EXT_CPPC		       0x43505043 /* "CPPC" */
#define SBI_EXT_NACL		       0x4E41434C /* "NACL" */
#define SBI_EXT_STA		       0x535441	  /* "STA" */
#define SBI_EXT_SSE		       0x535345	  /* "SSE" */
#define SBI_EXT_FWFT		       0x46574654 /* "FWFT" */
#define SBI_EXT_DBTR		       0x44425452 /* "DBTR" */
#define SBI_EXT_MPXY		       0x4D505859 /* "MPXY" */

/* Error codes (spec "Binary Encoding"). */
#define SBI_SUCCESS		       0
#define SBI_ERR_FAILED		       (-1)
#define SBI_ERR_NOT_SUPPORTED	       (-2)
#define SBI_ERR_INVALID_PARAM	       (-3)
#define SBI_ERR_DENIED		       (-4)
#define SBI_ERR_INVALID_ADDRESS	       (-5)
#define SBI_ERR_ALREADY_AVAILABLE      (-6)
#define SBI_ERR_ALREADY_STARTED	       (-7)
#define SBI_ERR_ALREADY_STOPPED	       (-8)
#define SBI_ERR_NO_SHMEM	       (-9)

/* BASE function IDs */
#define SBI_BASE_GET_SPEC_VERSION      0
#define SBI_BASE_GET_IMPL_ID	       1
#define SBI_BASE_GET_IMPL_VERSION      2
#define SBI_BASE_PROBE_EXTENSION       3
#define SBI_BASE_GET_MVENDORID	       4
#define SBI_BASE_GET_MARCHID	       5
#define SBI_BASE_GET_MIMPID	       6

/* Implementation IDs returned by sbi_get_impl_id(). */
#define SBI_IMPL_ID_OPENSBI	       1
#define SBI_IMPL_ID_HVSCOPE	       0x7676

#define SBI_TIME_SET_TIMER	       0
#define SBI_IPI_SEND_IPI	       0
#define SBI_RFENCE_REMOTE_FENCE_I      0
#define SBI_RFENCE_REMOTE_SFENCE_VMA   1

#define SBI_HSM_HART_START	       0
#define SBI_HSM_HART_STOP	       1
#define SBI_HSM_HART_GET_STATUS	       2
#define SBI_HSM_STATE_STARTED	       0
#define SBI_HSM_STATE_STOPPED	       1
#define SBI_HSM_STATE_START_PENDING    2

#define SBI_SRST_SYSTEM_RESET	       0
#define SBI_SRST_TYPE_SHUTDOWN	       0
#define SBI_SRST_TYPE_COLD_REBOOT      1
#define SBI_SRST_TYPE_WARM_REBOOT      2
#define SBI_SRST_REASON_NONE	       0
#define SBI_SRST_REASON_SYSFAIL	       1

#define SBI_DBCN_CONSOLE_WRITE	       0
#define SBI_DBCN_CONSOLE_READ	       1
#define SBI_DBCN_CONSOLE_WRITE_BYTE    2

/* hart_mask_base value meaning "all harts" (spec "Hart list parameter"). */
#define SBI_HART_MASK_BASE_ALL	       (-1UL)

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long arg0,
			unsigned long arg1, unsigned long arg2, unsigned long arg3,
			unsigned long arg4, unsigned long arg5);

long sbi_get_spec_version(void);
long sbi_get_impl_id(void);
long sbi_get_impl_version(void);
long sbi_probe_extension(long extension_id);
long sbi_get_mvendorid(void);
long sbi_get_marchid(void);
long sbi_get_mimpid(void);

struct sbiret sbi_set_timer(uint64_t stime_value);
struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
struct sbiret sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base);
struct sbiret sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
				    unsigned long start_addr, unsigned long size);
struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr,
			     unsigned long opaque);
struct sbiret sbi_hart_stop(void);
struct sbiret sbi_hart_get_status(unsigned long hartid);
struct sbiret sbi_system_reset(uint32_t reset_type, uint32_t reset_reason);
struct sbiret sbi_debug_console_write(unsigned long num_bytes,
				      unsigned long base_addr_lo,
				      unsigned long base_addr_hi);
struct sbiret sbi_debug_console_write_byte(uint8_t byte);

/* Legacy extensions (spec chapter "Legacy Extensions"): return value only. */
long sbi_console_putchar(int ch);
long sbi_console_getchar(void);

#endif
