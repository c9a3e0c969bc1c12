#!/usr/bin/python3
# quoted-errors.py README SOURCE...: checks that the error messages quoted
# in README's Troubleshooting section are still what the sources print, so
# that the section cannot go stale (tests/90-docs.bats).
#
# A quoted message is a code line "    xmpp-TOOL: MESSAGE" of the section.
# It is still printed if a format string of the sources (adjacent C string
# literals joined), with each conversion standing for any text, matches
# MESSAGE from end to end with at least MIN_FIXED characters of its own:
# "%s: %s" alone explains nothing. Prints each message that no format
# produces; exits 1 if there is one, 2 if the section quotes fewer than
# MIN_QUOTES messages.
import re
import sys

MIN_FIXED = 30
MIN_QUOTES = 5
QUOTE = re.compile(r'^    (xmpp-[a-z0-9-]+): (.+)$')
CONVERSION = re.compile(r'%[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t|L)?([diouxXcsp%])')
ESCAPES = {'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', '"': '"', "'": "'", '0': '\0'}


def quotes(readme):
    """The messages quoted in the Troubleshooting section."""
    found, inside = [], False
    for line in open(readme, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('## '):
            inside = line == '## Troubleshooting'
        elif inside and (m := QUOTE.match(line)):
            found.append(m.group(2))
    return found


def decode(body):
    """A C literal's text, its escapes replaced."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != '\\':
            out.append(c)
            i += 1
        elif body[i + 1] == 'x':
            m = re.match(r'[0-9a-fA-F]+', body[i + 2:])
            out.append(chr(int(m.group(0), 16)))
            i += 2 + len(m.group(0))
        else:
            out.append(ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
    return ''.join(out)


def literals(source):
    """The string literals of a C file, adjacent ones joined (only white
    space or comments between them)."""
    text = open(source, encoding='utf-8').read()
    token = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'(?:[^\'\\\n]|\\.)+\'|//[^\n]*|/\*.*?\*/|\s+|.',
                       re.S)
    joined, current = [], None
    for m in token.finditer(text):
        tok = m.group(0)
        if m.group(1) is not None or tok.startswith('"'):
            current = (current or '') + decode(m.group(1) or '')
        elif tok.isspace() or tok.startswith('//') or tok.startswith('/*'):
            continue
        elif current is not None:
            joined.append(current)
            current = None
    if current is not None:
        joined.append(current)
    return joined


def pattern(fmt):
    """The regex of what fmt prints, and how many characters it fixes."""
    parts, fixed, pos = [], [], 0
    for m in CONVERSION.finditer(fmt):
        fixed.append(fmt[pos:m.start()])
        parts.append(re.escape(fmt[pos:m.start()]))
        kind = m.group(1)
        if kind == '%':
            fixed.append('%')
            parts.append('%')
        elif kind == 'c':
            parts.append('.')
        elif kind in 'sp':
            parts.append('.*')
        else:
            parts.append(r'-?[0-9a-fA-F]+')
        pos = m.end()
    fixed.append(fmt[pos:])
    parts.append(re.escape(fmt[pos:]))
    return ''.join(parts), fixed


def printed_by(message, formats):
    for regex, fixed in formats:
        if sum(map(len, fixed)) < MIN_FIXED or max(fixed, key=len) not in message:
            continue
        if re.fullmatch(regex, message, re.S):
            return True
    return False


def main():
    readme, sources = sys.argv[1], sys.argv[2:]
    formats = [pattern(s) for src in sources for s in literals(src)]
    messages = quotes(readme)
    if len(messages) < MIN_QUOTES:
        print(f'{readme}: Troubleshooting quotes {len(messages)} messages, '
              f'fewer than {MIN_QUOTES}')
        return 2
    stale = [m for m in messages if not printed_by(m, formats)]
    for m in stale:
        print(f'{readme}: no source prints: {m}')
    return 1 if stale else 0


if __name__ == '__main__':
    sys.exit(main())
