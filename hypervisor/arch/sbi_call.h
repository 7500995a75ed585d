/* Calls from the hypervisor (HS) down to the SBI firmware (OpenSBI). */
#ifndef ARCH_SBI_CALL_H
#define ARCH_SBI_CALL_H

#include <stdint.h>

struct sbiret {
	long error;
	long value;
};

#define SBI_EXT_BASE		  0x10
#define SBI_EXT_TIME		  0x54494D45
#define SBI_EXT_IPI		  0x735049
#define SBI_EXT_RFENCE		  0x52464E43
#define SBI_EXT_HSM		  0x48534D
#define SBI_EXT_SRST		  0x53525354
#define SBI_EXT_DBCN		  0x4442434E
#define SBI_EXT_LEGACY_SET_TIMER  0x00
#define SBI_EXT_LEGACY_PUTCHAR	  0x01
#define SBI_EXT_LEGACY_GETCHAR	  0x02
#define SBI_EXT_LEGACY_CLEAR_IPI  0x03
#define SBI_EXT_LEGACY_SEND_IPI	  0x04
#define SBI_EXT_LEGACY_SHUTDOWN	  0x08

#define SBI_SUCCESS		  0
#define SBI_ERR_FAILED		  -1
#define SBI_ERR_NOT_SUPPORTED	  -2
#define SBI_ERR_INVALID_PARAM	  -3
#define SBI_ERR_DENIED		  -4
#define SBI_ERR_INVALID_ADDRESS	  -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED	  -7
#define SBI_ERR_ALREADY_STOPPED	  -8

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3, long a4, long a5);
void sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque);
void sbi_send_ipi_hart(unsigned long hartid);
void sbi_set_timer_fw(uint64_t when);
void sbi_shutdown(void);

#endif
