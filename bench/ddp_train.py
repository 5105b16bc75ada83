# SPDX-License-Identifier: MIT
"""PyTorch DDP twin of examples/dist_train.lua (issue 13's comparison): the
same MLP (dim -> hidden -> 10, ReLU, softmax cross-entropy, plain SGD), the
same synthetic data shape and global batch, each rank a share of it, the
gradients averaged by DistributedDataParallel over NCCL. Prints the mean
step time after 5 warm-up steps, as the Lua example does.
    torchrun --nproc_per_node=2 bench/ddp_train.py hidden=4096 batch=8192 steps=60
    python3 bench/ddp_train.py ...        (one process, no DDP)
Options (key=value): steps (200), batch (global, 256), hidden (256), lr
(0.5), dtype (float32), rows (65536), dim (1024).
"""
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F


def main():
    opt = {"steps": 200, "batch": 256, "hidden": 256, "lr": 0.5, "dtype": "float32",
           "rows": 65536, "dim": 1024}
    for a in sys.argv[1:]:
        k, v = a.split("=", 1)
        if k not in opt:
            raise SystemExit("unknown option " + a)
        opt[k] = type(opt[k])(v) if not isinstance(opt[k], str) else v
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if world > 1:
        dist.init_process_group("nccl")
    torch.cuda.set_device(local)
    dev = torch.device("cuda", local)
    dt = getattr(torch, opt["dtype"])
    assert opt["batch"] % world == 0
    b = opt["batch"] // world
    g = torch.Generator(device=dev).manual_seed(1234)
    X = torch.randn(opt["rows"], opt["dim"], device=dev, dtype=dt, generator=g)
    W = torch.randn(opt["dim"], 10, device=dev, dtype=dt, generator=g)
    labels = (X @ W).argmax(1)
    perm = torch.randperm(opt["rows"], device=dev, generator=g)
    model = torch.nn.Sequential(torch.nn.Linear(opt["dim"], opt["hidden"]), torch.nn.ReLU(),
                                torch.nn.Linear(opt["hidden"], 10)).to(dev, dt)
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local])
    sgd = torch.optim.SGD(model.parameters(), lr=opt["lr"])
    N = opt["rows"]
    ar = torch.arange(b, device=dev)
    t0 = None
    for k in range(1, opt["steps"] + 1):
        first = (k - 1) * opt["batch"] + rank * b
        rows = perm[(ar + first) % N]
        x, y = X[rows], labels[rows]
        # DDP averages the ranks' gradients: each rank's loss is the mean
        # over its share, so the average is the global batch's mean
        loss = F.cross_entropy(model(x), y)
        sgd.zero_grad(set_to_none=True)
        loss.backward()
        sgd.step()
        if k == 5:
            torch.cuda.synchronize()
            t0, n0 = time.perf_counter(), k
    torch.cuda.synchronize()
    if rank == 0 and t0 is not None:
        print("# ddp_train: %d ranks, hidden %d, global batch %d, %s" %
              (world, opt["hidden"], opt["batch"], opt["dtype"]))
        print("# step time %.3f ms (mean of the last %d steps)" %
              ((time.perf_counter() - t0) / (opt["steps"] - n0) * 1e3, opt["steps"] - n0))
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
