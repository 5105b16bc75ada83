/* SPDX-License-Identifier: MIT */
/*
** lunar: GPU array computing for Lua. The public embedding API.
**
** An application that embeds Lua includes this header, links liblunar (and
** its own Lua 5.4), and calls lunar_openlibs() on its lua_State. Lua code in
** that state then sees the global `lunar` (also `require "lunar"`). Arrays
** are exchanged with C through the functions below; all of them follow the
** Lua C API's stack discipline.
*/
#ifndef lunar_h
#define lunar_h

#include <stddef.h>
#include <stdint.h>
#include "lua.h"

#define LUNAR_VERSION "lunar 0.1.0"

/* dtype codes, in the order of the core's dtype table */
enum {
  LUNAR_BOOL, LUNAR_INT8, LUNAR_INT16, LUNAR_INT32, LUNAR_INT64,
  LUNAR_UINT8, LUNAR_UINT16, LUNAR_UINT32, LUNAR_UINT64,
  LUNAR_FLOAT32, LUNAR_FLOAT64,
  LUNAR_FLOAT16, LUNAR_BFLOAT16,   /* 16-bit floats: IEEE half, bfloat16 */
  LUNAR_COMPLEX64, LUNAR_COMPLEX128 /* pairs of float32 / float64 (re, im) */
};

/*
** The module opener, as `require "lunar"` calls it: pushes the module table.
** Creates this state's lunar context (kept in the registry) on first use.
*/
int luaopen_lunar(lua_State *L);

/*
** Open lunar in L: requires the module into package.loaded and sets the
** global `lunar`. Returns 0 on success; on failure it pushes an error message
** and returns a non-zero Lua status.
*/
int lunar_openlibs(lua_State *L);

/*
** Optional, first thing in main(): start the CUDA driver and the default
** device's context (about a quarter of a second on a data-centre GPU) on a
** background thread, so that they are ready, or nearly, when the first
** array goes to the GPU. Nothing happens when LUNAR_DEVICE names the CPU,
** LUNAR_PRESTART=0, or lunar was built without CUDA; a machine without a
** GPU or a driver behaves as without the call. Call it once per process,
** from code that stays loaded (not from a library that is dlclose'd).
** lunar_prestart_end()
** waits until the thread is out of the driver; lunar_prestart registers it
** with atexit, and a program that leaves main otherwise (_exit, abort...)
** calls it first.
*/
void lunar_prestart(void);
void lunar_prestart_end(void);

/*
** Push a new array made from host data: `data` holds the product of `shape`
** elements of `dtype` in C order; it is copied, so the caller keeps it.
** `device` is "cpu", "cuda", "cuda:N" or NULL for the default device.
** Raises a Lua error (use lua_pcall around it) on bad arguments or when
** memory is exhausted.
*/
void lunar_pusharray(lua_State *L, int dtype, int ndim, const int64_t *shape,
                     const void *data, const char *device);

/*
** If the value at idx is a lunar array, return 1 and fill dtype, ndim and
** shape (shape needs room for 16 entries; any out pointer may be NULL);
** otherwise return 0.
*/
int lunar_isarray(lua_State *L, int idx, int *dtype, int *ndim, int64_t *shape);

/*
** Copy the elements of the array at idx to `dst` (C order, in the array's
** own dtype), waiting for pending device work. `dst` must hold `nbytes`,
** at least size * itemsize. Returns 0, or -1 (with no Lua error raised)
** when idx is not an array or nbytes is too small.
*/
int lunar_toarray(lua_State *L, int idx, void *dst, size_t nbytes);

/*
** {===== interop without copies
** DLPack (dlpack/dlpack.h, Debian's libdlpack-dev; only users of these
** functions need that header). lunar_todlpack makes a tensor of the array
** at idx, sharing its memory: GPU work on it is finished first, strides are
** in items, bool is DLPack code 6 (kDLBool). The tensor keeps the memory
** alive until the consumer calls its deleter, exactly once (from the thread
** that uses L, and before lua_close(L) if the consumer can). Returns 0, or
** -1 (no Lua error) when idx is not an open array or memory is exhausted.
*/
struct DLManagedTensor;
int lunar_todlpack(lua_State *L, int idx, struct DLManagedTensor **out);

/*
** Push an array over the memory of a DLPack tensor (CPU, CUDA host, CUDA or
** CUDA managed memory), without a copy. lunar calls t->deleter when the
** array and every view of it are gone. Raises a Lua error for a dtype or
** device lunar does not have, or bad shapes/strides; the tensor is then not
** consumed (the caller still owns it).
*/
void lunar_fromdlpack(lua_State *L, struct DLManagedTensor *t);

/*
** Push an array over an application's buffer on `device` ("cpu", "cuda:N",
** NULL for the default device; a GPU address for a CUDA device), without a
** copy. strides are in BYTES, NULL for C order. `deleter(ptr)` (may be NULL)
** runs when the array and its views are gone. Raises a Lua error on bad
** arguments, leaving the buffer to the caller.
*/
void lunar_wraparray(lua_State *L, int dtype, int ndim, const int64_t *shape,
                     const int64_t *strides, void *ptr, const char *device,
                     void (*deleter)(void *ptr));
/* }===== */

#endif
