#!/usr/bin/env python3
"""Projects measure_stack's wall time on P threads from the one-thread time of each of its tasks.

    build/release/bench/bench_threads --task-times tasks.txt --repeats 5
    python3 bench/project_threads.py tasks.txt [--threads 1,2,4,8,16] [--in-flight 1,2,5]

A projection, not a measurement: it replays the task graph of measure_stack (measure_stack.cpp,
knn.cpp, parallel.cpp) on P ideal threads -- no memory-bandwidth or cache contention, no runtime
overhead -- so it shows what the schedule itself allows: the idle time at the end of a layer, the
serial parts of the largest cells. Check it against a measured curve where one exists (on this
machine's 2 cores, bench/RESULTS.md §12) before reading its 16-thread figure.

The model, one group of layers in flight at a time (MemoryPlan::layers_in_flight):
* kNN: the group's layers one after another, each a task whose row blocks (ceil(n / 4P) rows, a
  multiple of 4) are its children, then a serial zeroed allocation, then one copy child per block
  (the join);
* cells: every (layer, k) cell of the group, largest k first; a cell is everything measure_layer
  does but its BFS, on the cell's own thread, then ceil(n / 512) BFS batches as children;
* a thread that runs a task runs that task's unstarted children first and otherwise waits for them
  (OpenMP's taskgroup, which lets it run nothing else); an idle thread -- the one that created the
  top-level tasks too (taskloop nogroup) -- takes the oldest ready task of the team (FIFO);
* phases and groups end at a barrier.
Left out besides contention: libgomp runs tasks at once on their creator, instead of queueing
them, while the team holds more than 64 per thread -- only with very many layers or k together.
"""
import argparse
import heapq
import math
from collections import deque


def read_tasks(path):
    """The task times of bench_threads --task-times, scaled to the measured one-thread stack.

    Each task was timed alone, repeated, with warm caches; in measure_stack the same calls run
    once each, one after another, and take longer (stack A: 0.36 s against 0.30 s of tasks; the
    same calls in sequence, outside measure_stack, take the 0.36 s too). That difference belongs to
    the tasks, not to a serial part, so every task is scaled by the one ratio.
    """
    n, stack, knn, join, cells = 0, None, {}, {}, {}
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == "n":
                n = int(words[1])
            elif words[0] == "stack":
                stack = float(words[1])
            elif words[0] == "knn":
                knn[int(words[1])] = float(words[2])
            elif words[0] == "join":
                join[int(words[1])] = (float(words[2]), float(words[3]))
            elif words[0] == "cell":
                layer, k = int(words[1]), int(words[2])
                bfs, whole = float(words[5]), float(words[6])
                # everything of a cell but its BFS batches runs on the cell's own thread
                cells.setdefault(layer, []).append((k, whole - bfs, bfs))
    tasks = sum(knn.values()) + sum(s + b for c in cells.values() for (_, s, b) in c)
    scale = stack / tasks
    knn = {l: t * scale for l, t in knn.items()}
    join = {l: (a * scale, c * scale) for l, (a, c) in join.items()}
    cells = {l: [(k, s * scale, b * scale) for (k, s, b) in c] for l, c in cells.items()}
    return n, stack, tasks, knn, join, cells


class Task:
    """Stages in order: ("serial", seconds) or ("children", [seconds, ...])."""

    def __init__(self, stages):
        self.stages = list(stages)
        self.stage = 0
        self.started = False  # the current stage
        self.unstarted = []  # its children no thread has taken yet
        self.running = 0  # its children being run
        self.owner = None
        self.waiting = False


class Child:
    def __init__(self, parent, seconds):
        self.parent, self.seconds, self.taken = parent, seconds, False


def run_phase(tasks, threads):
    """Wall time of one parallel region of `tasks`, ending at its barrier."""
    queue = deque(tasks)  # the team's ready tasks and children, oldest first
    events, order, idle = [], 0, list(range(threads))

    def finish_at(t, thread, what):
        nonlocal order
        order += 1
        heapq.heappush(events, (t, order, thread, what))

    def advance(task, t):
        thread = task.owner
        while task.stage < len(task.stages):
            kind, value = task.stages[task.stage]
            if kind == "serial":
                if not task.started:
                    task.started = True
                    finish_at(t + value, thread, ("serial", task))
                    return
            else:
                if not task.started:
                    task.started = True
                    task.unstarted = [Child(task, seconds) for seconds in value]
                    queue.extend(task.unstarted)
                while task.unstarted and task.unstarted[-1].taken:
                    task.unstarted.pop()
                if task.unstarted:
                    child = task.unstarted.pop()
                    child.taken = True
                    task.running += 1
                    finish_at(t + child.seconds, thread, ("own", child))
                    return
                if task.running:
                    task.waiting = True
                    return
            task.stage += 1
            task.started = False
        idle.append(thread)

    def dispatch(t):
        while idle and queue:
            item = queue.popleft()
            if isinstance(item, Child):
                if item.taken:
                    continue
                item.taken = True
                item.parent.running += 1
                finish_at(t + item.seconds, idle.pop(), ("stolen", item))
            else:
                item.owner = idle.pop()
                advance(item, t)

    now = 0.0
    dispatch(now)
    while events:
        now, _, thread, (what, item) = heapq.heappop(events)
        if what == "serial":
            item.stage += 1
            item.started = False
            advance(item, now)
        else:
            parent = item.parent
            parent.running -= 1
            if what == "own":
                advance(parent, now)
            else:
                idle.append(thread)
                if parent.waiting and parent.running == 0:
                    parent.waiting = False
                    advance(parent, now)
        dispatch(now)
    return now


def project(n, knn, join, cells, threads, layers_in_flight, knn_together=False):
    layers = sorted(knn)
    block = max(4, math.ceil(math.ceil(n / (4 * threads)) / 4) * 4) if threads > 1 else n
    blocks = math.ceil(n / block)
    batches = math.ceil(n / 512)
    total = 0.0
    for first in range(0, len(layers), layers_in_flight):
        group = layers[first:first + layers_in_flight]
        knn_tasks = []
        for l in group:
            rows = [min(block, n - b * block) for b in range(blocks)]
            allocation, copy = join[l]
            stages = [("children", [knn[l] * r / n for r in rows])]
            if blocks > 1:
                stages += [("serial", allocation), ("children", [copy * r / n for r in rows])]
            knn_tasks.append(Task(stages))
        if knn_together:
            total += run_phase(knn_tasks, threads)
        else:  # one layer's kNN after another, each over the whole team
            total += sum(run_phase([task], threads) for task in knn_tasks)
        cell_tasks = [(k, l, serial, bfs) for l in group for (k, serial, bfs) in cells[l]]
        cell_tasks.sort(key=lambda c: -c[0])  # largest k first; stable in layer order
        total += run_phase([Task([("serial", serial), ("children", [bfs / batches] * batches)])
                            for (_, _, serial, bfs) in cell_tasks], threads)
    return total


def layers_wanted(n, slots, layers, threads):
    """measure_stack.cpp's layers_wanted (no memory limit): 16 tasks a thread."""
    if threads <= 1:
        return 1
    per_layer = slots * math.ceil(n / 512)
    return min(layers, max(1, math.ceil(16 * threads / per_layer)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tasks")
    parser.add_argument("--threads", default="1,2,4,8,16")
    parser.add_argument("--in-flight", default="1",
                        help="fixed numbers of layers in flight to show beside layers_wanted's")
    args = parser.parse_args()
    n, stack, tasks, knn, join, cells = read_tasks(args.tasks)
    slots, layers = len(cells[min(cells)]), len(knn)
    fixed = [int(w) for w in args.in_flight.split(",")]
    print(f"n = {n}, {layers} layers, {slots} k; one thread: measure_stack {stack:.4f} s, its tasks "
          f"timed alone {tasks:.4f} s (scaled to the former); projected wall time and speed-up "
          "on P ideal threads")
    print("threads | " + " | ".join(f"{w} in flight" for w in fixed) + " | layers_wanted")
    for p in (int(t) for t in args.threads.split(",")):
        cells_text = []
        for w in fixed:
            t = project(n, knn, join, cells, p, w)
            cells_text.append(f"{t:.4f} s {stack / t:5.2f}x")
        w = layers_wanted(n, slots, layers, p)
        t = project(n, knn, join, cells, p, w)
        print(f"{p:7d} | " + " | ".join(cells_text) + f" | {t:.4f} s {stack / t:5.2f}x ({w})")

if __name__ == "__main__":
    main()
