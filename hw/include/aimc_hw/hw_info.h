/* Facts about the SystemC kernel the hardware layer is built on, callable from C. */
#ifndef AIMC_HW_INFO_H
#define AIMC_HW_INFO_H
#ifdef __cplusplus
extern "C" {
#endif
/* The SystemC release string, e.g. "2.3.4-Accellera". */
const char *aimc_hw_systemc_version(void);
#ifdef __cplusplus
}
#endif
#endif
