#!/usr/bin/env python3
"""A loopback canary: accept TCP connections on 127.0.0.1, log each one,
answer like an HTTP server with canary data, and stop after a while.

Usage: canary.py PORT_FILE HITS_FILE SECONDS
The chosen port is written to PORT_FILE once listening; every connection
appends one line to HITS_FILE. Exits after SECONDS (or when killed).
"""
import socket
import sys
import time


def main(port_file, hits_file, seconds):
    deadline = time.monotonic() + float(seconds)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', 0))
    srv.listen(16)
    srv.settimeout(0.5)
    with open(port_file + '.tmp', 'w') as f:
        f.write('%d\n' % srv.getsockname()[1])
    import os
    os.rename(port_file + '.tmp', port_file)
    while time.monotonic() < deadline:
        try:
            conn, peer = srv.accept()
        except socket.timeout:
            continue
        conn.settimeout(1.0)
        try:
            first = conn.recv(4096).split(b'\r\n', 1)[0]
        except OSError:
            first = b''
        with open(hits_file, 'a') as f:
            f.write('%s:%d %r\n' % (peer[0], peer[1], first))
        body = b'<http://canary.invalid/s> <http://canary.invalid/p> "hit" .\n'
        try:
            conn.sendall(b'HTTP/1.0 200 OK\r\nContent-Type: text/turtle\r\n'
                         b'Content-Length: %d\r\n\r\n' % len(body) + body)
        except OSError:
            pass
        conn.close()


if __name__ == '__main__':
    main(*sys.argv[1:4])
