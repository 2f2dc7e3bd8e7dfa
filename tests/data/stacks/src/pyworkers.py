"""pyworkers.py - a Python process whose threads block the way stuck worker
threads do, for recording stack dumps (tests/data/stacks/record.sh):
  2 threads in threading.Condition().wait() (never notified),
  1 thread in queue.Queue().get() (nothing is ever put),
  1 thread in Lock.acquire() on a lock the main thread holds,
  main in threading.Event().wait()."""
import os
import queue
import sys
import threading

cond = threading.Condition()
jobs = queue.Queue()
big = threading.Lock()
big.acquire()


def handle_request():
    with cond:
        cond.wait()


def cond_worker():
    while True:
        handle_request()


def queue_worker():
    while True:
        jobs.get()


def lock_worker():
    with big:
        pass


threads = [threading.Thread(target=cond_worker, name="cond-1"),
           threading.Thread(target=cond_worker, name="cond-2"),
           threading.Thread(target=queue_worker, name="queue"),
           threading.Thread(target=lock_worker, name="lock")]
for t in threads:
    t.daemon = True
    t.start()
print(os.getpid(), flush=True)
sys.stdout.close()
threading.Event().wait()
