#!/usr/bin/python3
"""memscan.py PID TEXT: where TEXT is in the writable memory of process
PID: one line a copy, the START-END of its mapping (hex, as
/proc/PID/maps and smaps write it). Reads /proc/PID/mem, so it needs root
once the process is not dumpable."""
import re
import sys

pid, needle = sys.argv[1], sys.argv[2].encode()
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if not m[3].startswith("rw"):
            continue
        try:
            mem.seek(int(m[1], 16))
            data = mem.read(int(m[2], 16) - int(m[1], 16))
        except OSError:
            continue
        for _ in range(data.count(needle)):
            print(f"{m[1]}-{m[2]}")
