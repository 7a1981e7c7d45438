#pragma once
// HLS directives behind macros that expand to nothing outside a synthesis tool, so the same
// source simulates and synthesizes. __SYNTHESIS__ is defined by Catapult and Vitis HLS.

#if defined(__SYNTHESIS__)
#define MSQX_HLS_UNROLL _Pragma("hls_unroll yes")
#else
#define MSQX_HLS_UNROLL
#endif
