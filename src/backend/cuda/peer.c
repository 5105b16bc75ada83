/* SPDX-License-Identifier: MIT */
/*
** Copies between two GPUs of one process (lu_peer_ops, src/core/lu_peer.h):
** cudaMemcpyPeerAsync, with peer access enabled once per pair of devices
** where cudaDeviceCanAccessPeer allows it (then the copy goes over NVLink
** or PCIe directly; otherwise the driver stages it).
**
** Each device has its own stream. The copy runs on the destination's
** stream after an event recorded on the source's (the data is ready), and
** the source's stream then waits for an event recorded after the copy,
** because the source buffer is freed stream-ordered on its own stream.
*/
#include <pthread.h>
#include "cuda_internal.h"
#include "lu_peer.h"

static pthread_mutex_t peer_mu = PTHREAD_MUTEX_INITIALIZER;
static signed char peer_state[LU_MAXDEV][LU_MAXDEV];   /* 0 unknown, 1 on, -1 not possible */

/* Enable access from device `from` to device `to`'s memory, once. */
static void enable_peer(int from, int to) {
  int can = 0;
  pthread_mutex_lock(&peer_mu);
  if (peer_state[from][to] == 0) {
    peer_state[from][to] = -1;
    if (cudaDeviceCanAccessPeer(&can, from, to) == cudaSuccess && can) {
      int cur = 0;
      cudaError_t e;
      cudaGetDevice(&cur);
      cudaSetDevice(from);
      e = cudaDeviceEnablePeerAccess(to, 0);
      if (e == cudaSuccess || e == cudaErrorPeerAccessAlreadyEnabled) peer_state[from][to] = 1;
      cudaGetLastError();   /* an error here only means "staged" */
      cudaSetDevice(cur);
    }
  }
  pthread_mutex_unlock(&peer_mu);
}

static int copy(lu_ctx *ctx, int dst, void *d_dst, int src, const void *d_src, size_t n) {
  lu_cuda_dev *ds, *dd;
  cudaEvent_t ready, done;
  int st;
  if (n == 0) return LU_OK;
  if (src < 0 || dst < 0 || src >= LU_MAXDEV || dst >= LU_MAXDEV)
    return lu_cuda_seterr(ctx, LU_EDEVICE, "no device cuda:%d", src < 0 || src >= LU_MAXDEV ? src : dst);
  if ((st = lu_cuda_device(ctx, src, &ds))) return st;
  if ((st = lu_cuda_device(ctx, dst, &dd))) return st;
  enable_peer(dst, src);
  enable_peer(src, dst);
  CU_CHECK(ctx, cudaSetDevice(src));
  CU_CHECK(ctx, cudaEventCreateWithFlags(&ready, cudaEventDisableTiming));
  CU_CHECK(ctx, cudaEventRecord(ready, ds->stream));
  CU_CHECK(ctx, cudaSetDevice(dst));
  CU_CHECK(ctx, cudaStreamWaitEvent(dd->stream, ready, 0));
  CU_CHECK(ctx, cudaMemcpyPeerAsync(d_dst, dst, d_src, src, n, dd->stream));
  CU_CHECK(ctx, cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
  CU_CHECK(ctx, cudaEventRecord(done, dd->stream));
  CU_CHECK(ctx, cudaSetDevice(src));
  CU_CHECK(ctx, cudaStreamWaitEvent(ds->stream, done, 0));
  /* destroying an event that is still pending is allowed: it is freed
  ** when it completes */
  cudaEventDestroy(ready);
  cudaEventDestroy(done);
  CU_CHECK(ctx, cudaSetDevice(dst));
  return LU_OK;
}

const lu_peer_ops lu_cuda_peer_ops = {copy};
