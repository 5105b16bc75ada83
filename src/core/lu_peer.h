/* SPDX-License-Identifier: MIT */
/*
** Copies between two devices of one backend (two GPUs of one process):
** what a:to("cuda:1") uses instead of a trip through host memory. Kept
** out of lu_backend.h for the reason lu_workbench.h is: that header is
** compiled into every kernel. The core's only caller is lu_to_device
** (create.c).
*/
#ifndef lu_peer_h
#define lu_peer_h

#include <stddef.h>
#include "lu_backend.h"

/* copy: n bytes from d_src on device src_dev to d_dst on dst_dev, ordered
** after the work already enqueued on both devices and before the work
** enqueued on either afterwards (so that neither buffer is reused too
** early); peer to peer where the devices allow it (NVLink, PCIe P2P),
** staged by the driver otherwise. */
typedef struct lu_peer_ops {
  int (*copy)(lu_ctx *ctx, int dst_dev, void *d_dst, int src_dev, const void *d_src, size_t n);
} lu_peer_ops;

#ifdef LUNAR_HAVE_CUDA
extern const lu_peer_ops lu_cuda_peer_ops;   /* src/backend/cuda/peer.c */
#endif

#endif
