/* bcryptprimitives.dll for Wine 8 (Debian 12's), which has none: Rust's
 * standard library (1.78 and later) takes its random bytes from its
 * ProcessPrng, so no Rust program starts there without it. Windows 8 and
 * later, and Wine 9 and later, have their own; scripts/install-windows
 * builds this one into the Wine prefix's system32 only for an older Wine. */
#include <windows.h>

/* RtlGenRandom, exported by advapi32 under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
    if (!SystemFunction036(data, n)) {
      return FALSE;
    }
    data += n;
    length -= n;
  }
  return TRUE;
}
