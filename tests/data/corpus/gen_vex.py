#!/usr/bin/env python3
"""Writes tests/data/corpus/vex.hex: VEX- and XOP-encoded instructions, one per line.

Part 1 assembles, with llvm-mc-19, instructions built for every vex/xop row of isa/vex*.tbl:
register and memory forms (plain, disp8, disp32, SIB, RIP-relative, r8-r15 bases), both
vector lengths where the row allows them, xmm/ymm 0-15, both operand sizes of y-typed GPR
operands, and 2-byte (C5) and 3-byte (C4, via {vex3} or extended registers) prefixes. A line
is kept only if llvm-mc encodes it with the row's map, pp and opcode.

Part 2 is an encoding sweep written directly as bytes: for every (map, pp, opcode) of the rows,
each combination of VEX.W and VEX.L with a register and a memory ModRM, so that the W/L/mod
rules of the table are checked against the same combinations the oracle sees.

Usage: python3 tests/data/corpus/gen_vex.py [ISADIR] > tests/data/corpus/vex.hex
"""
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ISADIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', '..', '..', 'isa')
MC = ['llvm-mc-19', '-triple=x86_64', '-show-encoding',
      '-mattr=+avx2,+fma,+f16c,+aes,+vaes,+pclmul,+vpclmulqdq,+gfni,+avxvnni,+avxifma,'
      '+avxvnniint8,+avxvnniint16,+avxneconvert,+sha512,+sm3,+sm4,+bmi,+bmi2,+tbm,+fma4,+xop,'
      '+avx512f,+avx512bw,+avx512dq,+amx-tile,+amx-int8,+amx-bf16,+amx-fp16,+amx-complex,'
      '+cmpccxadd,+lwp']

GPR64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'] + ['r%d' % i for i in range(8, 16)]
GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] + ['r%dd' % i for i in range(8, 16)]

# Register numbers per operand slot, cycled; the later sets need VEX.R/X/B (3-byte VEX).
REGSETS = [(0, 1, 2, 3, 4), (1, 2, 3, 4, 5), (8, 9, 10, 11, 12), (15, 14, 7, 12, 6),
           (3, 11, 5, 13, 9), (6, 7, 12, 2, 1)]
MEMS = ['(%rax)', '8(%rcx)', '-128(%rdx,%rsi,4)', '0x12345678(%rip)', '0x1000(%rbx,%r9,8)',
        '(%r12)', '(%r13)', '-8(%rsp)', '(%r8,%r15,2)', '0x7f(%rbp)', '-0x80000000(%r11,%rax)',
        '0x40(,%rcx,8)']
SIBMEMS = ['(%rax,%rbx,4)', '8(%rsi,%rcx,2)', '0x100(%r8,%r9,1)', '-16(%rsp,%r15,8)',
           '(%r13,%rdx,1)']


def rows():
    for path in sorted(glob.glob(os.path.join(ISADIR, 'vex*.tbl'))):
        for line in open(path):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            cols = line.split()
            if len(cols) != 12 or cols[0] not in ('vex', 'xop'):
                continue
            yield cols


def vecname(n, bits):
    return '%%%smm%d' % ({128: 'x', 256: 'y'}[bits], n)


def vec_bits(t, L):
    if t in ('x', 'ps', 'pd', 'ph'):
        return L
    if t == 'qq':
        return 256
    return 128  # dq ss sd b w d q xh xq xo


def op_text(meth, t, L, w64, regn, mem, imm):
    if meth in ('V', 'W', 'U', 'H', 'L'):
        return vecname(regn, vec_bits(t, L)) if mem is None or meth != 'W' else mem
    if meth in ('G', 'R', 'B', 'E'):
        if meth == 'E' and mem is not None:
            return mem
        size = {'d': 32, 'q': 64, 'y': 64 if w64 else 32}[t]
        return '%' + (GPR64 if size == 64 else GPR32)[regn]
    if meth == 'M':
        return mem
    if meth in ('KG', 'KR', 'KH'):
        return '%%k%d' % (regn & 7)
    if meth == 'KE':
        return mem if mem is not None else '%%k%d' % (regn & 7)
    if meth in ('TG', 'TE', 'TH'):
        return '%%tmm%d' % (regn & 7)
    if meth == 'I':
        return '$%d' % imm
    raise ValueError(meth)


def split_op(tok):
    for m in ('KG', 'KE', 'KR', 'KH', 'TG', 'TE', 'TH'):
        if tok.startswith(m):
            return m, tok[len(m):]
    return tok[0], tok[1:]


def variants(cols, k):
    enc, mp, pp, op, modrm, cond, operands, mnem, handler, attrs, flags, cpuid = cols
    conds = cond.split('.') if cond != '-' else []
    ops = [split_op(o) for o in operands.split(',')] if operands != '-' else []
    att = mnem.split('|')[0]
    Ls = [128] if ('l0' in conds or 'lig' in conds) else [256] if 'l1' in conds else [128, 256]
    has_y = any(t == 'y' for _, t in ops)
    Ws = [True] if 'w1' in conds else [False] if 'w0' in conds else ([False, True] if has_y else [False])
    kinds = []
    memop = any(m in ('W', 'E', 'KE', 'M') for m, _ in ops)
    if not modrm.endswith('.m') and not modrm.startswith('='):
        kinds.append('r')
    if memop and not modrm.endswith('.r') and not modrm.startswith('='):
        kinds.append('m')
    if modrm.startswith('='):
        kinds = ['r']
    vsib = 'vsib' in attrs.split(',')
    tile = any(m.startswith('T') for m, _ in ops)
    out = []
    for L in Ls:
        for w64 in Ws:
            for kind in kinds:
                nrep = 4 if kind == 'r' else 6
                for rep in range(nrep):
                    k += 1
                    rs = REGSETS[k % len(REGSETS)]
                    if tile or vsib:
                        rs = tuple(range(k % 3, k % 3 + 5))
                    if modrm.startswith('='):
                        rs = (((int(modrm[1:], 16) >> 3) & 7),) + rs[1:]
                    mem = None
                    if kind == 'm':
                        if vsib:
                            ib = 128 if (w64 and int(op, 16) % 2 == 0) else L
                            base = ['%rax', '%rcx', '%r9', '%rsp', '%r13'][k % 5]
                            mem = ['(%s,%s,4)', '8(%s,%s,2)', '-0x100(%s,%s,8)', '0x7f(%s,%s,1)',
                                   '(%s,%s,1)'][k % 5] % (base, vecname(rs[1] + 8 * (k % 2), ib))
                        elif tile:
                            mem = SIBMEMS[k % len(SIBMEMS)]
                        else:
                            mem = MEMS[k % len(MEMS)]
                    texts = []
                    for i, (m, t) in enumerate(ops):
                        regn = rs[i % len(rs)]
                        if m in ('G', 'R', 'B', 'E') and regn == 4 and rep % 2 == 0:
                            regn = 5
                        texts.append(op_text(m, t, L, w64, regn, mem if m in ('W', 'E', 'M', 'KE') else None,
                                             [0, 1, 5, 0x11, 0x7f, 0x80, 0xff, 31][k % 8]
                                             if t == 'b' else 0x12345678)
                                     if not att.startswith('vpermil2') or m != 'I' else '$%d' % (k % 4))
                    name = att.replace('{s}', 'q' if w64 else 'l')
                    if kind == 'r' and ops and ops[0][0] in ('W', 'U') and ops[-1][0] == 'V':
                        name += '.s'
                    prefix = '{vex3} ' if (enc == 'vex' and rep % 2 == 1) else ''
                    if cpuid in ('avx-vnni', 'avx-ifma') or (cpuid == 'avx-ne-convert' and op == '72'):
                        prefix = '{vex} '
                    out.append((prefix + name + ' ' + ', '.join(reversed(texts))).strip())
    return out, k


def parse_vex(b):
    """(map, pp, W, L, opcode) of a VEX/XOP encoding."""
    if b[0] == 0xC5:
        return 1, b[1] & 3, 0, (b[1] >> 2) & 1, b[2]
    if b[0] in (0xC4, 0x8F):
        return b[1] & 0x1F, b[2] & 3, b[2] >> 7, (b[2] >> 2) & 1, b[3]
    return None


PPS = {'np': 0, '66': 1, 'f3': 2, 'f2': 3}


def main():
    allrows = list(rows())
    lines, owner = [], []
    k = 0
    for cols in allrows:
        v, k = variants(cols, k)
        for s in v:
            lines.append(s)
            owner.append(cols)
    # Every predicate of VCMPPS/PD/SS/SD (0-31 print as pseudo-ops) and of XOP VPCOM (0-7).
    cmp_rows = {c[7]: c for c in allrows if c[7].startswith('vcmp') or c[7].startswith('vpcom')}
    for n in list(range(32)) + [32, 0x55, 0xff]:
        for name, cols in sorted(cmp_rows.items()):
            for regs in ('%xmm1, %xmm2, %xmm3', '(%rax), %xmm12, %xmm3', '%ymm11, %ymm2, %ymm13'):
                if regs.startswith('%ymm') and ((name[-2] == 's' and name[-1] in 'sd') or 'com' in name):
                    continue
                lines.append('%s $%d, %s' % (name, n, regs))
                owner.append(cols)
    res = subprocess.run(MC, input='\n'.join(lines) + '\n', capture_output=True, text=True)
    enc = [re.search(r'encoding: \[([^\]]*)\]', l) for l in res.stdout.splitlines()]
    enc = [e.group(1) for e in enc if e]
    errs = res.stderr.count('error:')
    # llvm-mc skips the lines it rejects and names them in its diagnostics.
    bad = {int(n) - 1 for n in re.findall(r'<stdin>:(\d+):\d+: error', res.stderr)}
    it = iter(enc)
    enc = [None if i in bad else next(it, None) for i in range(len(lines))]
    keyset = {(int(c[1], 16), PPS[c[2]], int(c[3], 16)) for c in allrows}
    seen = set()
    out = []
    dropped = 0
    for s, cols, e in zip(lines, owner, enc):
        if e is None:
            dropped += 1
            sys.stderr.write('llvm-mc rejects: %s\n' % s)
            continue
        b = [int(x, 16) for x in e.split(',')]
        pv = parse_vex(b)
        if pv is None or (pv[0], pv[1], pv[4]) not in keyset:
            dropped += 1
            sys.stderr.write('encoded elsewhere: %s -> %s\n' % (s, e))
            continue
        h = ' '.join('%02x' % x for x in b)
        if h in seen:
            continue
        seen.add(h)
        out.append('%-48s # %s' % (h, s.replace('{vex3} ', '').replace('{vex} ', '')))
    # Part 2: W/L/mod sweep.
    keys = []
    for cols in allrows:
        key = (cols[0], cols[1], cols[2], cols[3])
        if key not in keys:
            keys.append(key)
    for enc_, mp, pp, op in keys:
        ims = any(re.search(r'(^|,)[IL]', c[6]) for c in allrows if (c[0], c[1], c[2], c[3]) == (enc_, mp, pp, op))
        tiles = any('TH' in c[6] for c in allrows if (c[0], c[1], c[2], c[3]) == (enc_, mp, pp, op))
        for W in (0, 1):
            for L in (0, 1):
                for modrm in (0xC1 if mp != '2' or op not in ('49',) else 0xC0, 0xD3, 0x0A, 0x4C):
                    esc = 0xC4 if enc_ == 'vex' else 0x8F
                    vvvv = 0xF if modrm in (0xC1, 0xC0, 0x0A) else 0xB
                    if tiles and vvvv == 0xF:
                        vvvv = 0xD  # three distinct tiles: tmm0, tmm1, tmm2
                    b = [esc, 0xE0 | int(mp, 16), (W << 7) | (vvvv << 3) | (L << 2) | PPS[pp],
                         int(op, 16), modrm]
                    if modrm == 0x4C:
                        b += [0x98, 0x10]
                    if ims:
                        b += [0x21] if not (enc_ == 'xop' and mp == 'a') else [0x21, 0, 0, 0]
                    out.append(' '.join('%02x' % x for x in b) +
                               '   # sweep %s map %s %s %s W%d L%d' % (enc_, mp, pp, op, W, L))
                    if enc_ == 'vex' and mp == '1' and W == 0 and modrm in (0xC1, 0x0A, 0xD3):
                        c5 = [0xC5, 0x80 | (vvvv << 3) | (L << 2) | PPS[pp]] + b[3:]
                        out.append(' '.join('%02x' % x for x in c5) +
                                   '   # sweep vex C5 %s %s L%d' % (pp, op, L))
    print('\n'.join(out))
    sys.stderr.write('%d lines assembled, %d dropped, %d llvm-mc errors\n' %
                     (len(seen), dropped, errs))


if __name__ == '__main__':
    main()
