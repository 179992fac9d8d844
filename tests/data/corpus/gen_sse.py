#!/usr/bin/env python3
"""Writes tests/data/corpus/x87.hex and sse.hex: byte strings for every row of isa/x87.tbl,
isa/sse.tbl and isa/sse_2.tbl, assembled by llvm-mc-19.

For each row, AT&T assembly is derived from the operand column (register forms, several
addressing modes for memory forms, a few immediates, xmm8-xmm15, 32/64-bit GPRs, and REX2
forms with r16-r31 where REX2 can reach the map), assembled in one batch, and written as
`HEX  # assembly`. Encodings that an assembler never picks (redundant prefixes, REX.W on an
instruction that ignores it, the second MOVQ store form, SSE4A immediates) are appended from
the EXTRA list below.

    python3 tests/data/corpus/gen_sse.py            # rewrites both files
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import isagen  # noqa: E402

LLVM_MC = os.environ.get('LLVM_MC', 'llvm-mc-19')

XMM = ['%%xmm%d' % i for i in range(16)]
MM = ['%%mm%d' % i for i in range(8)]
GPR32 = ['%eax', '%ecx', '%edx', '%ebx', '%esp', '%ebp', '%esi', '%edi',
         '%r8d', '%r9d', '%r10d', '%r11d', '%r12d', '%r13d', '%r14d', '%r15d']
GPR64 = ['%rax', '%rcx', '%rdx', '%rbx', '%rsp', '%rbp', '%rsi', '%rdi',
         '%r8', '%r9', '%r10', '%r11', '%r12', '%r13', '%r14', '%r15']
GPR16 = ['%ax', '%cx', '%dx', '%bx', '%sp', '%bp', '%si', '%di',
         '%r8w', '%r9w', '%r10w', '%r11w', '%r12w', '%r13w', '%r14w', '%r15w']
EGPR32 = ['%%r%dd' % i for i in range(16, 32)]
EGPR64 = ['%%r%d' % i for i in range(16, 32)]

# Addressing modes: base only, SIB with disp8, disp32 with index, RIP-relative, r13/r12
# bases (mod=01 disp8 0 and forced SIB), absolute disp32 with no base, and a segment
# override.
MEMS = ['(%rax)', '0x12(%rsp)', '-0x1234(%rbp,%r9,4)', '0x40(%rip)', '(%r13)',
        '0x7f(%r12,%rax,8)', '0x1000', '%fs:-8(%rdi,%rsi,2)', '0x7fffffff(%r11)',
        '-0x80(%r8,%r15)']
MEMS_REX2 = ['(%r16)', '8(%r17,%r22,4)', '-0x100(%rax,%r31)', '0x20(%r29)']

IMMS = ['$0', '$1', '$0x5', '$0x7f', '$0x80', '$0xff']


def my_rows():
    feats = isagen.load_features(ROOT)
    isagen.FEATURES = [s for _, s in feats]
    rows = []
    for name in ('x87.tbl', 'sse.tbl', 'sse_2.tbl'):
        with open(os.path.join(ROOT, 'isa', name)) as f:
            for lineno, line in enumerate(f, 1):
                text = line.split('#', 1)[0].strip()
                if text:
                    rows.append((name, isagen.parse_row(name, lineno, text)[0]))
    return rows


def gpr_list(typ, row, k):
    w1 = 'w1' in row.cond.split('.')
    if typ == 'q' or (typ == 'y' and k % 2 == 1) or (typ == 'y' and w1):
        return GPR64
    if typ == 'w':
        return GPR16
    return GPR32


def operand_choices(row, op, k, mem, rex2):
    """One AT&T operand for variant k; mem selects the memory form of an r/m operand."""
    hidden, meth, typ = op
    if meth == 'FIXED':
        return {'ST0': '%st', 'XMM0': '%xmm0', 'AX': '%ax',
                'STi': '%%st(%d)' % (k % 8)}[typ]
    if meth in ('V', 'P'):
        regs = XMM if meth == 'V' else MM
        return regs[(k * 5 + 1) % len(regs)]
    if meth in ('W', 'Q', 'U', 'N', 'E', 'M', 'R', 'G'):
        if meth == 'G':
            if rex2:
                return (EGPR64 if gpr_list(typ, row, k) is GPR64 else EGPR32)[k % 16]
            return gpr_list(typ, row, k)[(k * 3 + 2) % 16]
        if mem:
            return (MEMS_REX2 if rex2 else MEMS)[k % (4 if rex2 else len(MEMS))]
        if meth in ('W', 'U'):
            return XMM[(k * 7 + 3) % 16]
        if meth in ('Q', 'N'):
            return MM[(k * 3 + 2) % 8]
        if rex2:
            return (EGPR64 if gpr_list(typ, row, k) is GPR64 else EGPR32)[(k + 3) % 16]
        return gpr_list(typ, row, k)[(k * 5 + 4) % 16]
    if meth == 'I':
        return IMMS[k % len(IMMS)]
    raise ValueError('no assembly for operand %r' % (op,))


def has_rm(row):
    return any(m in ('W', 'Q', 'E', 'M', 'U', 'N', 'R') or (m == 'FIXED' and t == 'STi')
               for _, m, t in row.ops)


def rm_is_mem_capable(row):
    return any(m in ('W', 'Q', 'E', 'M') for _, m, _ in row.ops)


def asm_for_row(row):
    out = []
    shown = [o for o in row.ops if not o[0]]
    mnem = row.att.replace('{s}', '')
    if row.modrm.startswith('=') or not shown:
        return [mnem]
    forms = []
    if row.modrm.endswith('.r') or not rm_is_mem_capable(row):
        forms.append(False)
    elif row.modrm.endswith('.m') or any(m == 'M' for _, m, _ in row.ops):
        forms.append(True)
    else:
        forms += [False, True]
    stform = any(m == 'FIXED' and t == 'STi' for _, m, t in row.ops)
    for mem in forms:
        n = 8 if stform else (10 if mem else 8)
        for k in range(n):
            ops = [operand_choices(row, o, k, mem, False) for o in shown]
            out.append(mnem + ' ' + ', '.join(reversed(ops)))
        if row.map in (0, 1):   # REX2 reaches maps 0 and 0F only
            if mem or any(m in ('G', 'E', 'R') for _, m, _ in row.ops):
                for k in range(2 if not mem else 4):
                    ops = [operand_choices(row, o, k, mem, True) for o in shown]
                    out.append(mnem + ' ' + ', '.join(reversed(ops)))
    return out


CMP_PRED = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord']


def extra_asm():
    """Pseudo-op spellings and immediates that the row walk does not produce."""
    out = []
    for sfx in ('ps', 'pd', 'ss', 'sd'):
        for i, p in enumerate(CMP_PRED):
            out.append('cmp%s%s %%xmm%d, %%xmm%d' % (p, sfx, i + 3, 15 - i))
            out.append('cmp%s%s 0x10(%%rax,%%rbx,2), %%xmm%d' % (p, sfx, i))
        for imm in (8, 0x1f, 0x20, 0xff):
            out.append('cmp%s $%d, %%xmm1, %%xmm9' % (sfx, imm))
    for imm in (0, 1, 0x10, 0x11, 0x5, 0xff):
        out.append('pclmulqdq $%d, %%xmm3, %%xmm12' % imm)
        out.append('pclmulqdq $%d, (%%rdx), %%xmm2' % imm)
    for i in range(8):
        out.append('fxch %%st(%d)' % i)
    return out


# Hand-written byte strings: encodings that assemblers do not emit but CPUs decode.
EXTRA = """
48 0f 58 c1                # REX.W ignored: addps
66 48 0f 58 c1             # REX.W ignored: addpd
f3 48 0f 58 c1             # REX.W ignored: addss
41 0f 28 c0                # REX.B: movaps %xmm8, %xmm0
44 0f 28 c0                # REX.R: movaps %xmm0, %xmm8
40 0f 28 c0                # empty REX
41 0f fc c0                # REX.B does not extend mm: paddb %mm0, %mm0
44 0f fc c8                # REX.R does not extend mm: paddb %mm0, %mm1
49 0f 6e c0                # movq %r8, %mm0
4c 0f 7e c0                # REX.R ignored on mm: movq %mm0, %rax
66 48 0f 7e 00             # movq %xmm0, (%rax) through 66 REX.W 0F 7E
66 48 0f 6e 00             # movq (%rax), %xmm0 through 66 REX.W 0F 6E
48 0f 6e 00                # movq (%rax), %mm0 through REX.W 0F 6E
48 0f 7e 00                # movq %mm0, (%rax) through REX.W 0F 7E
66 0f d6 c1                # movq %xmm0, %xmm1 (store form, register)
66 f3 0f 7e c1             # 66 is operand size under F3: movq
f3 66 0f 7e c1             # F3 then 66: movq
66 f2 0f 58 c1             # F2 wins over 66: addsd
f2 66 0f 58 c1             # addsd
f3 f2 0f 58 c1             # last of F2/F3 wins: addsd
f2 f3 0f 58 c1             # last of F2/F3 wins: addss
66 66 0f 58 c1             # repeated 66: addpd
2e 0f 58 00                # segment override: addps %cs:(%rax)
64 66 0f 58 00             # fs: addpd
67 0f 58 00                # 32-bit address: addps (%eax)
67 66 0f 38 00 04 8d 00 01 00 00  # pshufb 0x100(,%ecx,4)
66 0f 78 c1 05 06          # extrq $6, $5, %xmm1
66 0f 78 c7 00 3f          # extrq $63, $0, %xmm7
66 41 0f 78 c2 10 20       # extrq with xmm10
f2 0f 78 c1 05 06          # insertq $6, $5, %xmm1, %xmm0
f2 45 0f 78 d1 ff 00       # insertq with xmm9/xmm10
66 0f 79 c1                # extrq %xmm1, %xmm0
f2 44 0f 79 f9             # insertq %xmm1, %xmm15
f3 0f 2b 00                # movntss %xmm0, (%rax)
f2 0f 2b 48 08             # movntsd %xmm1, 8(%rax)
48 0f 50 c1                # REX.W movmskps: still %eax
66 48 0f d7 c1             # REX.W pmovmskb: still %eax
66 48 0f 3a 17 c1 05       # REX.W extractps: still %ecx
66 48 0f 3a 14 c1 05       # REX.W pextrb: still %ecx
66 48 0f 3a 20 c1 05       # REX.W pinsrb: still %ecx
66 48 0f c4 c1 05          # REX.W pinsrw: still %ecx
66 48 0f 3a 61 c1 05       # REX.W pcmpestri
f3 48 0f 2c c1             # cvttss2si %xmm1, %rax
f2 48 0f 2d 01             # cvtsd2si (%rcx), %rax
d5 00 d8 c1                # REX2 on x87 register form
d5 11 d9 00                # flds (%r24): REX2 B4=1 B3=1
d5 40 0f 58 c1             # #UD: 0F escape after REX2 (apx-isa.md 1.2)
d5 80 58 c1                # REX2 M0=1: addps
d5 81 58 c1                # REX2.B3 extends xmm: addps %xmm9, %xmm0
d5 84 58 c1                # REX2.R3 extends xmm: addps %xmm1, %xmm8
d5 90 6e c0                # movd %r16d, %mm0
d5 98 6e c0                # movq %r16, %mm0
d5 98 7e c0                # movq %mm0, %r16
f3 d5 98 2a c0             # cvtsi2ss %r16, %xmm0
f2 d5 90 2a c0             # cvtsi2sd %r16d, %xmm0
f3 d5 9c 2d c0             # cvtss2si %xmm0, %r24
d5 c0 50 d1                # movmskps %xmm1, %r18d
66 d5 c0 d7 e2             # pmovmskb %xmm2, %r20d
66 d5 c0 c5 c0 01          # pextrw $1, %xmm0, %r16d
d5 b4 58 0c 88             # addps (%r16,%r17,4), %xmm9
d5 98 c3 00                # movntiq %rax, (%r16)
66 0f 3a 15 c1 05          # pextrw $5, %xmm0, %ecx (0F 3A form)
66 45 0f 3a 15 cb 07       # pextrw $7, %xmm9, %r11d
66 0f 3a 15 00 03          # pextrw $3, %xmm0, (%rax)
66 d5 c4 fe c0             # paddd %xmm0, %xmm8: REX2.R4 ignored for xmm (apx-isa.md 1.1)
66 d5 98 6e c0             # movq %r16, %xmm0
66 d5 90 7e c3             # movd %xmm0, %r19d
f3 0f 54 c1                # #UD: F3 is not a prefix of ANDPS
f2 0f 57 c1                # #UD: F2 is not a prefix of XORPS
66 0f 52 c1                # #UD: no 66 form of RSQRTPS
66 0f 53 c1                # #UD: no 66 form of RCPPS
f3 0f 28 c1                # #UD: F3 0F 28
f2 0f 2e c1                # #UD: F2 0F 2E
f3 0f 50 c1                # #UD: F3 0F 50
f3 0f c6 c1 05             # #UD: F3 0F C6
66 0f 12 c1                # #UD: MOVLPD has no register form
66 0f 16 c1                # #UD: MOVHPD has no register form
f3 0f 13 01                # #UD: F3 0F 13
f2 0f 17 01                # #UD: F2 0F 17
f3 0f fc c1                # #UD: MMX PADDB with F3
f2 0f fc c1                # #UD: MMX PADDB with F2
f3 0f 6e c1                # #UD: MMX MOVD with F3
66 0f 77                   # #UD: EMMS with 66
f3 0f 77                   # #UD: EMMS with F3
f3 0f e7 01                # #UD: MOVNTQ with F3
f2 0f f7 c1                # #UD: MASKMOVQ with F2
f3 0f 38 00 c1             # #UD: PSHUFB mm with F3
f2 0f 3a 0f c1 05          # #UD: PALIGNR mm with F2
66 0f 38 c8 c1             # #UD: SHA1NEXTE with 66
f3 0f 3a cc c1 05          # #UD: SHA1RNDS4 with F3
66 0f 78 c9 05 06          # #UD: EXTRQ imm needs ModRM.reg=0
66 d5 88 58 c1             # addpd: REX2.W=1 keeps the mandatory 66
66 d5 98 28 01             # movapd (%r17), %xmm0
f3 d5 88 7e c1             # movq %xmm1, %xmm0: REX2.W=1 keeps the mandatory F3
f3 d5 98 7e 01             # movq (%r17), %xmm0
66 d5 88 fe c1             # paddd %xmm1, %xmm0
"""


def assemble(lines):
    src = '\n'.join(lines) + '\n'
    p = subprocess.run([LLVM_MC, '-triple=x86_64', '-mattr=+egpr', '-show-encoding'],
                       input=src, capture_output=True, text=True)
    errs = [l for l in p.stderr.splitlines() if 'error' in l]
    pairs = []
    for l in p.stdout.splitlines():
        m = re.match(r'\s*(.*?)\s*# encoding: \[(.*)\]', l)
        if m:
            asm = re.sub(r'\s+', ' ', m.group(1))
            hexs = ' '.join('%02x' % int(b, 16) for b in m.group(2).split(','))
            pairs.append((hexs, asm))
    return pairs, errs


def main():
    rows = my_rows()
    by_file = {'x87.tbl': [], 'sse.tbl': [], 'sse_2.tbl': []}
    for name, row in rows:
        by_file[name].extend(asm_for_row(row))
    out = {}
    for target, files, extra in (('x87.hex', ['x87.tbl'], ['fxch']),
                                 ('sse.hex', ['sse.tbl', 'sse_2.tbl'], ['sse'])):
        lines = []
        for f in files:
            lines += by_file[f]
        if 'sse' in extra:
            lines += extra_asm()
        pairs, errs = assemble(lines)
        for e in errs:
            print('%s: %s' % (target, e), file=sys.stderr)
        seen, body = set(), []
        for h, a in pairs:
            if h not in seen:
                seen.add(h)
                body.append('%-40s # %s' % (h, a))
        if target == 'sse.hex':
            for l in EXTRA.strip().splitlines():
                h, _, c = l.partition('#')
                h = ' '.join(h.split())
                if h not in seen:
                    seen.add(h)
                    body.append('%-40s # %s' % (h, c.strip()))
        head = ('# %s: generated by gen_sse.py from the isa rows (llvm-mc-19); one instruction '
                'per line.\n' % target)
        with open(os.path.join(HERE, target), 'w') as f:
            f.write(head + '\n'.join(body) + '\n')
        out[target] = len(body)
    print(' '.join('%s: %d lines' % kv for kv in out.items()))


if __name__ == '__main__':
    main()
