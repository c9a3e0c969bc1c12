#!/usr/bin/python3
"""pty-run.py [--cols N] [--rows N] OUT CMD [ARGS...]

Runs CMD with its standard error on a pseudo-terminal of N columns (stdin
and stdout are left as they are), and writes every byte CMD writes there
to OUT as it comes (raw: no newline translation), so that a test can see
what a person at a terminal would. Exits with CMD's status (128 + signal
if a signal ended it); a SIGTERM or SIGINT it gets is passed on to CMD,
so that killing this runner stops the tool as killing the tool would.
"""
import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import tty


def parse(argv):
    size = {"--cols": 80, "--rows": 24}
    while argv and argv[0] in size:
        size[argv[0]] = int(argv[1])
        argv = argv[2:]
    if len(argv) < 2:
        sys.exit(__doc__)
    return size["--cols"], size["--rows"], argv[0], argv[1:]


def main():
    cols, rows, out, cmd = parse(sys.argv[1:])
    master, slave = pty.openpty()
    tty.setraw(slave)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.dup2(slave, 2)
        os.close(slave)
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            os.write(2, f"pty-run: {cmd[0]}: {e.strerror}\n".encode())
            os._exit(127)
    os.close(slave)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda s, _f: os.kill(pid, s))
    with open(out, "wb", buffering=0) as f:
        while True:
            try:
                data = os.read(master, 65536)
            except InterruptedError:
                continue
            except OSError:  # EIO: every writer closed the terminal
                break
            if not data:
                break
            f.write(data)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status)
             else 128 + os.WTERMSIG(status))


main()
