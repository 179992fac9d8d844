#!/usr/bin/env python3
"""Writes tests/data/corpus/evex_map256.hex: EVEX maps 2, 5 and 6 (AVX-512, AVX512-FP16).

For every row of isa/evex_map2.tbl and isa/evex_fp16.tbl it writes AT&T assembly in several
shapes (each vector length the row allows; low, high and xmm16-31 registers; masking and
zeroing; memory with disp8 that compresses and disp32 that does not, SIB, RIP-relative, VSIB,
r16-r31 base/index; broadcast; rounding and {sae}), assembles it with llvm-mc-19 and keeps the
encodings. A second pass derives lines that flip bits the SDM says are ignored (W on WIG rows,
L'L on LIG rows) from the assembled bytes.

    python3 tests/data/corpus/gen_map256.py [OUT]
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import isagen  # noqa: E402

FILES = ['evex_map2.tbl', 'evex_fp16.tbl']
MATTR = ('+avx512f,+avx512vl,+avx512bw,+avx512dq,+avx512cd,+avx512ifma,+avx512vbmi,'
         '+avx512vbmi2,+avx512vnni,+avx512bitalg,+avx512vpopcntdq,+avx512bf16,+avx512fp16,'
         '+avx512vp2intersect,+avx512er,+avx512pf,+vaes,+gfni,+egpr')

VREG = {16: 'xmm', 32: 'ymm', 64: 'zmm'}
GPR64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'] + ['r%d' % i for i in range(8, 32)]


def gpr(n, size):
    r = GPR64[n]
    if size == 8:
        return '%' + r
    if n < 8:
        return '%e' + r[1:]
    return '%' + r + 'd'


def load_rows():
    isagen.FEATURES = [s for _, s in isagen.load_features(ROOT)]
    rows = []
    for name in FILES:
        with open(os.path.join(ROOT, 'isa', name)) as f:
            for lineno, line in enumerate(f, 1):
                text = line.split('#', 1)[0].strip()
                if text:
                    rows.extend(isagen.parse_row(name, lineno, text))
    return rows


def conds(r):
    return set(r.cond.split('.')) if r.cond != '-' else set()


def vls(r):
    c = conds(r)
    for i, L in enumerate(('l0', 'l1', 'l2')):
        if L in c:
            return [16 << i]
    if 'lig' in c:
        return [16]
    if any(t in ('x', 'xh', 'xq', 'xo') for _, m, t in r.ops):
        return [16, 32, 64]
    return [16]


def opsize(t, vl):
    """Register size in bytes for a vector operand type."""
    if t == 'x':
        return vl
    if t == 'xh':
        return max(16, vl // 2)
    if t in ('xq', 'xo'):
        return 16
    if t == 'qq':
        return 32
    if t == 'dqq':
        return 64
    return 16


ELEM = {'b2': 2, 'b4': 4, 'b8': 8}
MEMS = ['(%rax)', '0x40(%rcx)', '-0x80(%rdx,%rsi,4)', '0x8(%rbx)', '0x2(%rsp)', '0x1234(%rbp)',
        '0x7f0(%rdi,%r8,8)', '-0x1000(%r9)', '0x20(%rip)', '0x12345678(%r12,%r13)',
        '0x40(%r16)', '0x80(%r17,%r31,2)', '-0x40(%r28,%rax,8)', '(%r21,%r20)']
VSIB = ['(%rax,{i},4)', '0x40(%rcx,{i},8)', '-0x100(%r9,{i})', '0x12345(%rbx,{i},2)',
        '0x40(%r20,{i},4)', '(%r31,{i},8)', '0x8(,{i},4)']
RC = ['{rn-sae}', '{rd-sae}', '{ru-sae}', '{rz-sae}']
REGSETS = [(1, 2, 3), (17, 25, 31), (8, 15, 0), (30, 4, 21)]


def gen_row(r, seq):
    """Yields AT&T assembly lines for one expanded row."""
    attrs = r.attrs
    ops = r.ops
    bc = next((ELEM[a] for a in ('b2', 'b4', 'b8') if a in attrs), 0)
    modrm = r.modrm
    memonly = modrm.endswith('.m')
    regonly = modrm.endswith('.r')
    has_rm = any(m in ('W', 'M', 'E', 'U', 'R', 'KR') for _, m, _ in ops)
    vsib = 'vsib' in attrs
    mnem = r.att
    out = []
    for vl in vls(r):
        forms = []
        if not memonly and has_rm:
            forms.append('reg')
        if not regonly and any(m in ('W', 'M', 'E') for _, m, _ in ops):
            forms.append('mem')
        if not has_rm:
            forms.append('reg')
        for form in forms:
            for si, regs in enumerate(REGSETS):
                text_ops = []
                used = 0
                mem_i = (seq + si) % len(MEMS)
                for hidden, m, t in ops:
                    if hidden:
                        continue
                    n = regs[used % 3]
                    used += 1
                    if m in ('V', 'H', 'U') or (m == 'W' and form == 'reg'):
                        text_ops.append('%' + VREG[opsize(t, vl)] + str(n))
                    elif m in ('KG', 'KR', 'KE', 'KH'):
                        text_ops.append('%k' + str(1 + (n % 7)))
                    elif m in ('G', 'R') or (m == 'E' and form == 'reg'):
                        size = 8 if t == 'q' else 4
                        g = n if n != 4 else 5
                        text_ops.append(gpr(g, size))
                    else:  # memory
                        if vsib:
                            isz = vl
                            if r.op % 2 == 0 and 'w1' in conds(r):
                                isz = max(16, vl // 2)
                            idx = '%' + VREG[isz] + str(regs[(used) % 3])
                            text_ops.append(VSIB[(seq + si) % len(VSIB)].format(i=idx))
                        else:
                            text_ops.append(MEMS[mem_i])
                lines = []
                base = list(reversed(text_ops))
                lines.append(base)
                # masking
                variants = []
                dst_is_mem = form == 'mem' and ops[0][1] in ('W', 'M')
                for ops_att in lines:
                    kreg = '%%k%d' % (1 + (seq + si) % 7)
                    if 'k1' in attrs:
                        variants.append((ops_att, ' {%s}' % kreg))
                        continue
                    variants.append((ops_att, ''))
                    if 'k' in attrs:
                        variants.append((ops_att, ' {%s}' % kreg))
                    if 'z' in attrs and not dst_is_mem:
                        variants.append((ops_att, ' {%s} {z}' % kreg))
                c = conds(r)
                wt = next((t for _, m, t in ops if m in ('W', 'M')), 'x')
                count = vl // bc // {'xh': 2, 'xq': 4, 'xo': 8}.get(wt, 1) if bc else 0
                for ops_att, mask in variants:
                    if 'b1' not in c:
                        out.append('%s %s%s' % (mnem, ', '.join(ops_att), mask))
                    if form == 'mem' and bc and (si < 2 or 'b1' in c) and 'b0' not in c:
                        bops = [o + '{1to%d}' % count if '(' in o else o for o in ops_att]
                        out.append('%s %s%s' % (mnem, ', '.join(bops), mask))
                # rounding / sae on the register form
                if form == 'reg' and ('er' in attrs or 'sae' in attrs) and si < 2:
                    if vl == 64 or 'lig' in conds(r) or vls(r) == [16] and not any(
                            t in ('x', 'xh', 'xq', 'xo') for _, _, t in ops):
                        tag = RC[(seq + si) % 4] if 'er' in attrs else '{sae}'
                        ops_att = list(base)
                        if any(m == 'R' for _, m, _ in ops):  # vcvtsi2sh: after the GPR
                            ops_att.insert(1, tag)
                        else:
                            ops_att.insert(0, tag)
                        mask = ''
                        if 'k' in attrs:
                            mask = ' {%%k%d}' % (1 + seq % 7) + (' {z}' if 'z' in attrs and si else '')
                        out.append('%s %s%s' % (mnem, ', '.join(ops_att), mask))
    return out


def assemble(lines):
    p = subprocess.run(['llvm-mc-19', '-triple=x86_64', '-show-encoding', '-mattr=' + MATTR],
                       input='\n'.join(lines) + '\n', capture_output=True, text=True)
    bad = set(int(m.group(1)) for m in re.finditer(r'<stdin>:(\d+):\d+: error', p.stderr))
    encs = re.findall(r'^\s*(\S.*?)\s*# encoding: \[([^\]]*)\]', p.stdout, re.M)
    good = [i for i in range(len(lines)) if i + 1 not in bad]
    if len(good) != len(encs):
        raise SystemExit('llvm-mc output does not line up (%d vs %d)' % (len(good), len(encs)))
    res = {}
    for i, (asm, enc) in zip(good, encs):
        res[i] = (bytes(int(x, 16) for x in enc.split(',')), ' '.join(asm.split()))
    return res, sorted(bad)


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'evex_map256.hex')
    rows = load_rows()
    lines, owner = [], []
    for seq, r in enumerate(rows):
        for l in gen_row(r, seq):
            lines.append(l)
            owner.append(r)
    res, bad = assemble(lines)
    for i in bad[:40]:
        sys.stderr.write('llvm-mc rejected: %s\n' % lines[i - 1])
    sys.stderr.write('%d lines, %d rejected\n' % (len(lines), len(bad)))
    seen = set()
    body = []
    ignored = []
    for i in sorted(res):
        b, asm = res[i]
        if b in seen:
            continue
        seen.add(b)
        body.append('%s # %s' % (b.hex(' '), asm))
        r = owner[i]
        c = conds(r)
        # bits the SDM says are ignored: W on WIG rows, L'L on LIG rows (not with EVEX.b set
        # on a register form, where L'L is the rounding control)
        if b[0] == 0x62 and len(ignored) < 100000:
            p2 = b[3]
            if 'w0' not in c and 'w1' not in c and (i % 3 == 0):
                ignored.append(b[:2] + bytes([b[2] ^ 0x80]) + b[3:])
            if 'lig' in c and (i % 2 == 0) and not (p2 & 0x10 and b[5] >= 0xc0):
                for ll in (1, 2, 3):
                    ignored.append(b[:3] + bytes([(p2 & 0x9f) | (ll << 5)]) + b[4:])
    for b in ignored:
        if b not in seen:
            seen.add(b)
            body.append('%s # ignored bit flipped' % b.hex(' '))
    with open(out_path, 'w') as f:
        f.write('# EVEX maps 2, 5, 6 (AVX-512, AVX512-FP16). Generated by gen_map256.py from '
                'llvm-mc-19 encodings.\n')
        f.write('\n'.join(body) + '\n')
    sys.stderr.write('%d corpus lines\n' % len(body))


if __name__ == '__main__':
    main()
