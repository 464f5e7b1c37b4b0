#!/usr/bin/env python3
"""Check an strace log of one kgraph run against what it may touch.

Usage: check_trace.py TRACE CWD STORE [NAMED...]
Prints one line per violation and exits 1 if there is any:
- a file opened (or created, removed, renamed, linked) that is neither a
  NAMED input, nor under the STORE path prefix (the store, its lock and
  journal files, and its directory), nor on the system allow-list below;
- any connect(), socket(), bind() or sendto() call;
- any execve() after the first (the program itself).
"""
import os
import re
import sys

# What the process itself needs: the dynamic loader's cache and the shared
# libraries (with librdf's storage modules), time zone, random bytes; in a
# sanitizer build, the runtime reads the process's own /proc entries. A
# shared build's binary looks for every library along its build-tree run
# path, which CMake pads with ':' (an empty entry: the current directory),
# so shared library names are allowed anywhere.
SYSTEM = [
    r'/proc/self/(maps|environ|cmdline|status|stat|auxv)',
    r'/etc/ld\.so\.cache',
    r'/.*/lib[^/]*\.so(\.[0-9]+)*',
    r'/(usr/)?lib(32|64|x32)?/.*',
    r'/usr/local/lib/redland',
    r'/usr/lib/locale/.*',
    r'/usr/share/locale/.*',
    r'/usr/share/zoneinfo/.*',
    r'/etc/localtime',
    r'/dev/urandom',
]
SYSTEM_RE = re.compile('^(' + '|'.join(SYSTEM) + ')$')

PATH_CALLS = {
    'open': [0], 'openat': [1], 'openat2': [1], 'creat': [0],
    'unlink': [0], 'unlinkat': [1], 'rename': [0, 1], 'renameat': [1, 3],
    'renameat2': [1, 3], 'mkdir': [0], 'mkdirat': [1], 'rmdir': [0],
    'link': [0, 1], 'linkat': [1, 3], 'symlink': [1], 'symlinkat': [2],
    'truncate': [0],
}
NET_CALLS = {'connect', 'socket', 'bind', 'sendto', 'sendmsg'}

CALL_RE = re.compile(r'^(?:\[pid\s+)?\d*\]?\s*([a-z0-9_]+)\((.*)$')


def args_of(rest):
    """Split the argument text of a call (strings kept whole)."""
    out, cur, quote, esc = [], '', False, False
    for c in rest:
        if quote:
            cur += c
            if esc:
                esc = False
            elif c == '\\':
                esc = True
            elif c == '"':
                quote = False
        elif c == '"':
            quote = True
            cur += c
        elif c == ',':
            out.append(cur.strip())
            cur = ''
        elif c == ')':
            break
        else:
            cur += c
    out.append(cur.strip())
    return out


def unquote(s):
    if len(s) >= 2 and s[0] == '"':
        return s[1:-1].encode('latin-1').decode('unicode_escape')
    return None


def main(trace, cwd, store, named):
    named = {os.path.normpath(p) for p in named}
    store = os.path.normpath(store)
    bad = []
    execs = 0
    with open(trace, errors='replace') as f:
        for line in f:
            line = line.strip()
            if 'resumed>' in line:
                continue
            m = CALL_RE.match(line.split(' ', 1)[1] if line[:1].isdigit()
                              else line)
            if not m:
                continue
            call, rest = m.group(1), m.group(2)
            if call == 'execve':
                execs += 1
                if execs > 1:
                    bad.append('runs a program: ' + line)
                continue
            if call in NET_CALLS:
                bad.append('network: ' + line)
                continue
            if call not in PATH_CALLS:
                continue
            args = args_of(rest)
            for k in PATH_CALLS[call]:
                if k >= len(args):
                    continue
                path = unquote(args[k])
                if path is None:
                    continue
                dirfd = args[k - 1] if call.endswith('at') or \
                    call.endswith('at2') else 'AT_FDCWD'
                if not path.startswith('/'):
                    if dirfd != 'AT_FDCWD':
                        bad.append('relative to a directory: ' + line)
                        continue
                    path = os.path.join(cwd, path)
                norm = os.path.normpath(path)
                if norm in named or path in named:
                    continue
                if norm == store or norm.startswith(store) or \
                        norm == os.path.dirname(store):
                    continue
                if SYSTEM_RE.match(norm):
                    continue
                bad.append('%s %s' % (call, path))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
