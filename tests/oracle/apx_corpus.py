#!/usr/bin/env python3
"""APX decoder corpus: byte strings built directly from the instruction table.

Reads the rows of isa/*.tbl (the 12-column grammar of isa/README.md) and prints one
instruction per line as hex bytes:

  * every APX row (EVEX maps 4 and 7, EVEX forms of VEX GPR instructions, VEX map 7, the
    REX2-only legacy forms) for each operand size and ND/NF/ZU/SCC/DFV variant, with every
    register slot walked through r0-r31 and the r/m operand in register and memory forms
    (EGPR base and index, r20/r28 as index, r21/r29 and r12/r20 as base, RIP-relative,
    disp8/disp32, no base);
  * the REX2 forms of every map-0 / map-1 legacy row that allows REX2 (rows without the
    `norex2` attribute), with r16-r31 in each GPR slot.

This is our own encoder; LLVM decoding the bytes (tests/oracle/llvm_hexlines.c) is the
oracle. The output is deterministic. Standard library only.

  apx_corpus.py [--only apx|rex2] [--annotate] [--isa DIR]

--annotate appends `# file:line mnemonic` to each line (both oracles ignore text after #).
Forms that LLVM 19 does not decode although apx-isa.md says they are valid are left out
here; tests/data/llvm-deviations.txt lists them with the text we expect.
"""
import argparse
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

GPR_METHODS = ('G', 'E', 'R', 'M', 'B', 'Z')

# Opcodes that are #UD with REX2 (apx-isa.md 1.2); the generator skips them even when a
# legacy row forgets `norex2`, and never emits escape bytes after REX2.
REX2_UD = {
    0: set([0x0f]) | set(range(0x40, 0x50)) | set(range(0x70, 0x80)) |
       (set(range(0xa0, 0xb0)) - {0xa1}) | set(range(0xe0, 0xf0)),
    1: set(range(0x30, 0x40)) | set(range(0x80, 0x90)),
}

# Valid per apx-isa.md but not decoded by LLVM 19 (see tests/data/llvm-deviations.txt).
LLVM19_GAPS = {
    ('evex', 4, 'f6', '/1'), ('evex', 4, 'f7', '/1'),          # CTEST F6/F7 /1
    ('evex', 4, 'c0', '/6'), ('evex', 4, 'c1', '/6'), ('evex', 4, 'd0', '/6'),
    ('evex', 4, 'd1', '/6'), ('evex', 4, 'd2', '/6'), ('evex', 4, 'd3', '/6'),  # SHL /6
    ('evex', 4, '8a', '*'), ('evex', 4, '8b', '*'),            # MOVRS
    ('evex', 7, 'f6', '*'), ('vex', 7, 'f6', '*'),             # RDMSR/WRMSRNS imm
}


# REX2 forms that LLVM 19 rejects although apx-isa.md 1.2 allows them: INT1, the 0F 18-1F
# hint-NOP space, UD0. With a mandatory 66/F2/F3, LLVM 19 also drops the prefix when
# REX2.W=1 on SSE forms (66 0F 6E W1 becomes the MMX MOVQ), so those are not emitted either.
# XCHG 90+r naming r16 (REX2.B4=1, B3=0) is printed as NOP by LLVM 19 (llvm-deviations.txt).
LLVM19_REX2_GAPS = {(0, 0xf1), (1, 0xff)} | {(1, op) for op in range(0x19, 0x20)}
LLVM19_REX2_REG_GAPS = {(1, 0x18)}                              # register forms only


class Row:
    def __init__(self, path, lineno, cols):
        self.path, self.lineno = path, lineno
        (self.enc, self.map, self.pp, self.op, self.modrm, cond, operands, self.mnem,
         self.handler, attrs, self.flags, self.cpuid) = cols
        self.cond = [] if cond == '-' else cond.split('.')
        self.ops = [] if operands == '-' else operands.split(',')
        self.attrs = [] if attrs == '-' else attrs.split(',')
        self.apxfile = os.path.basename(path).startswith('apx')

    def where(self):
        return '%s:%d' % (os.path.basename(self.path), self.lineno)


def load_rows(isa_dir):
    rows = []
    for path in sorted(glob.glob(os.path.join(isa_dir, '*.tbl'))):
        with open(path) as f:
            for n, line in enumerate(f, 1):
                line = line.split('#', 1)[0].strip()
                if not line:
                    continue
                cols = line.split()
                if len(cols) != 12:
                    sys.stderr.write('%s:%d: not 12 columns, skipped\n' % (path, n))
                    continue
                rows.append(Row(path, n, cols))
    return rows


def map_number(row):
    return {'0': 0, '0f': 1, '0f38': 2, '0f3a': 3}.get(row.map) if row.enc == 'leg' \
        else int(row.map, 16)


def expand_opcodes(row):
    """(opcode byte, cc or None, reg-in-opcode flag) for the row's op column."""
    op = row.op
    if op.endswith('+r'):
        base = int(op[:-2], 16)
        return [(base, None, True)]
    if op.endswith('+cc'):
        base = int(op[:-3], 16)
        return [(base + cc, cc, False) for cc in range(16)]
    return [(int(op, 16), None, False)]


# ---------------------------------------------------------------------------------------
# Operands

def split_operand(tok):
    """(method, type, implicit) for an operand token."""
    implicit = tok.startswith('!')
    if implicit:
        tok = tok[1:]
    for m in ('KG', 'KE', 'KR', 'KH', 'TG', 'TE', 'TH', 'BG', 'BE', 'Ar', 'STi'):
        if tok.startswith(m):
            return m, tok[len(m):], implicit
    if tok and tok[0] in 'EGMRBZIJOSCDPQNVWUHLXY' and (len(tok) == 1 or tok[1:].islower()
                                                       or tok[1:].isdigit()):
        return tok[0], tok[1:], implicit
    return tok, '', implicit


def opsize(row, t, w, has66):
    if t == 'b':
        return 1
    if t == 'w':
        return 2
    if t == 'd':
        return 4
    if t == 'q':
        return 8
    if t == 'y':
        return 8 if w else 4
    # v, z, bs and the rest follow the operand size
    if w:
        return 8
    return 2 if has66 else 4


def imm_size(t, osz):
    return {'b': 1, 'bs': 1, 'w': 2, 'd': 4, 'q': 8}.get(t, {'z': min(osz, 4), 'v': osz}
                                                           .get(t, 1))


IMM_VALUES = [0x7b, 0x80, 0xff, 0x01, 0x12345678, 0x89abcdef, 0x00000123, 0xc0000080,
              0x1122334455667788, 0x8000000000000000]


def imm_bytes(size, k):
    v = IMM_VALUES[k % len(IMM_VALUES)]
    if size == 2 and v > 0xffff:
        v = 0x1234 + k
    return [(v >> (8 * i)) & 0xff for i in range(size)]


# ---------------------------------------------------------------------------------------
# ModRM / SIB / displacement

def mem_forms(full):
    """Memory operands: (base, index, scale_bits, disp_kind) with base/index a GPR number,
    None, or 'rip'. disp_kind: 0 none, 1 disp8, 4 disp32."""
    forms = [('rip', None, 0, 4)]
    bases = range(32) if full else (0, 4, 5, 13, 16, 20, 21, 29, 31)
    for b in bases:
        forms.append((b, None, 0, 0 if b % 2 == 0 else (1 if b % 4 == 1 else 4)))
    idxs = [i for i in range(32) if i != 4] if full else (1, 12, 17, 20, 28, 31)
    for n, i in enumerate(idxs):
        b = (i * 5 + 3) % 32
        forms.append((b, i, n % 4, (0, 1, 4)[n % 3]))
    forms += [(None, None, 0, 4), (None, 20, 3, 4), (None, 31, 1, 4), (None, 9, 2, 4),
              (13, None, 0, 1), (21, None, 0, 0), (29, None, 0, 4), (12, None, 0, 1),
              (28, 28, 0, 1), (5, 20, 2, 0), (16, 4 + 8, 1, 1)]
    return forms


def encode_mem(base, index, scale, disp_kind, k, need_sib=False):
    """Returns (mod, rm, sib or None, disp bytes, B3, B4, X3, X4)."""
    b3 = b4 = x3 = x4 = 0
    disp8 = [(0x40 + 7 * k) & 0x7f if k % 3 else 0x80 + k % 64]
    disp32 = [(0x78 + k) & 0xff, 0x56, 0x34, (0x12 + k) & 0x7f | (0x80 if k % 5 == 0 else 0)]
    if base == 'rip':
        return 0, 5, None, disp32, 0, 0, 0, 0
    if index is not None:
        x3, x4 = (index >> 3) & 1, (index >> 4) & 1
        ib = index & 7
    else:
        ib = 4
    if base is None:
        sib = (scale << 6) | (ib << 3) | 5
        return 0, 4, sib, disp32, 0, 0, x3, x4
    b3, b4 = (base >> 3) & 1, (base >> 4) & 1
    if disp_kind == 0 and base & 7 == 5:
        disp_kind, disp8 = 1, [0]     # rBP/r13/r21/r29 as base: mod=01, disp8=0
    mod = {0: 0, 1: 1, 4: 2}[disp_kind]
    disp = {0: [], 1: disp8, 4: disp32}[disp_kind]
    if index is not None or base & 7 == 4 or need_sib:
        sib = (scale << 6) | (ib << 3) | (base & 7)
        return mod, 4, sib, disp, b3, b4, x3, x4
    return mod, base & 7, None, disp, b3, b4, x3, x4


# ---------------------------------------------------------------------------------------
# Instruction assembly from a row and chosen field values

def evex_bytes(mp, w, pp, reg, rmx, vvvv, nd, nf, scc=None, dfv=0):
    """reg = (R3, R4); rmx = (B3, B4, X3, X4); vvvv 0-31 logical."""
    r3, r4 = reg
    b3, b4, x3, x4 = rmx
    p0 = ((r3 ^ 1) << 7) | ((x3 ^ 1) << 6) | ((b3 ^ 1) << 5) | ((r4 ^ 1) << 4) | (b4 << 3) | mp
    ppv = {'np': 0, '66': 1, 'f3': 2, 'f2': 3}[pp]
    if scc is not None:
        p1 = (w << 7) | (dfv << 3) | ((x4 ^ 1) << 2) | ppv
        p2 = scc
    else:
        p1 = (w << 7) | (((~vvvv) & 15) << 3) | ((x4 ^ 1) << 2) | ppv
        p2 = (nd << 4) | ((((vvvv >> 4) & 1) ^ 1) << 3) | (nf << 2)
    return [0x62, p0, p1, p2]


def vex3_bytes(mp, w, pp, l, reg, rmx, vvvv):
    r3, _ = reg
    b3, _, x3, _ = rmx
    ppv = {'np': 0, '66': 1, 'f3': 2, 'f2': 3}[pp]
    return [0xc4, ((r3 ^ 1) << 7) | ((x3 ^ 1) << 6) | ((b3 ^ 1) << 5) | mp,
            (w << 7) | (((~vvvv) & 15) << 3) | (l << 2) | ppv]


class Slots:
    """Which register-carrying fields a row uses, and their ranges."""

    def __init__(self, row):
        self.reg = None   # 'gpr' / 'k' / 'tmm' / 'other' for ModRM.reg
        self.rm = None    # 'gpr' / 'k' / 'other'
        self.rm_mem = False
        self.rm_reg = False
        self.vvvv = None  # 'gpr' / 'k'
        self.z = False
        self.imms = []    # operand types of immediates
        self.bad = False
        for tok in row.ops:
            m, t, imp = split_operand(tok)
            if imp:
                continue
            if m == 'G' or (m == 'Ar' and t == 'G'):
                self.reg = 'gpr'
            elif m in ('KG',):
                self.reg = 'k'
            elif m in ('TG',):
                self.reg = 'tmm'
            elif m in ('S', 'C', 'D', 'P', 'V', 'BG'):
                self.reg = 'other'
            elif m == 'E':
                self.rm, self.rm_mem, self.rm_reg = 'gpr', True, True
            elif m == 'R':
                self.rm, self.rm_reg = 'gpr', True
            elif m == 'M':
                self.rm_mem = True
            elif m in ('KE',):
                self.rm, self.rm_mem, self.rm_reg = 'k', True, True
            elif m in ('KR',):
                self.rm, self.rm_reg = 'k', True
            elif m in ('Q', 'W', 'BE'):
                self.rm, self.rm_mem, self.rm_reg = 'other', True, True
            elif m in ('N', 'U', 'STi', 'TE'):
                self.rm, self.rm_reg = 'other', True
            elif m == 'B':
                self.vvvv = 'gpr'
            elif m in ('KH',):
                self.vvvv = 'k'
            elif m == 'Z':
                self.z = True
            elif m == 'I':
                self.imms.append(t)
            elif m in ('J', 'O', 'H', 'L', 'TH', 'Ar'):
                self.bad = True
        if row.modrm.endswith('.m'):
            self.rm_reg = False
        if row.modrm.endswith('.r'):
            self.rm_mem = False
        if row.modrm.startswith('/') and row.modrm[1:2].isdigit() and self.reg is None:
            self.reg = 'fixed'


def reg_range(kind, egpr):
    if kind == 'gpr':
        return 32 if egpr else 16
    if kind in ('k', 'tmm'):
        return 8
    return 8


class Gen:
    def __init__(self, annotate):
        self.annotate = annotate
        self.out = []
        self.count = 0

    def emit(self, bs, row, note=''):
        line = ' '.join('%02x' % b for b in bs)
        if self.annotate:
            line += '  # %s %s%s' % (row.where(), row.mnem, note)
        self.out.append(line)
        self.count += 1


def gap(row):
    mp = map_number(row)
    return ((row.enc, mp, row.op, row.modrm) in LLVM19_GAPS or
            (row.enc, mp, row.op, '*') in LLVM19_GAPS)


# ---------------------------------------------------------------------------------------
# APX rows (EVEX / VEX map 7)

def variants(row):
    """Yields dicts: w, nd, nf, primary."""
    ws = [0] if 'w0' in row.cond else [1] if 'w1' in row.cond else [0, 1]
    nds = [1] if 'nd1' in row.cond else [0] if 'nd0' in row.cond else \
        ([0, 1] if ('nd' in row.attrs or 'zu' in row.attrs) else [0])
    nfs = [1] if 'nf1' in row.cond else [0] if 'nf0' in row.cond else \
        ([0, 1] if 'nf' in row.attrs else [0])
    types = {split_operand(o)[1] for o in row.ops}
    byte_only = types <= {'b', '', 'bs'} or types == {'b'}
    if row.enc == 'evex' and row.pp == '66' and 'v' in types and len(ws) > 1:
        ws = [0]          # LLVM 19 rejects pp=66 with W=1 (64-bit wins, apx-isa.md 2.4)
    first = True
    for w in ws:
        if byte_only and w == 1 and len(ws) > 1:
            # W is ignored on byte forms: one reduced pass shows it
            yield dict(w=1, nd=nds[0], nf=nfs[0], primary=False)
            continue
        for nd in nds:
            for nf in nfs:
                if nd and nf and 'zu' in row.attrs:
                    continue      # {nf} imulzu: LLVM 19 rejects ND=1 with NF=1 on 69/6B
                yield dict(w=w, nd=nd, nf=nf, primary=first)
                first = False


def gen_evex_row(g, row, opc, cc, var, k0):
    s = Slots(row)
    if s.bad:
        return
    mp = map_number(row)
    w, nd, nf, primary = var['w'], var['nd'], var['nf'], var['primary']
    scc_row = 'scc' in row.attrs
    is_vex = row.enc == 'vex'
    egpr = not is_vex
    p2p = 'push2pop2' in row.attrs
    osz = opsize(row, next((split_operand(o)[1] for o in row.ops
                            if split_operand(o)[0] in GPR_METHODS and not
                            split_operand(o)[2]), 'v'), w, row.pp == '66')
    fixed_reg = int(row.modrm[1]) if row.modrm[1:2].isdigit() else None
    full = primary and cc in (None, 0)
    k = k0

    def imm_tail(kk):
        out = []
        for t in s.imms:
            out += imm_bytes(imm_size(t, osz), kk)
        return out

    def build(regv, rmx, vv, modrm_tail, kk, note):
        nonlocal k
        if is_vex:
            pre = vex3_bytes(mp, w, row.pp, 0, ((regv >> 3) & 1, 0), rmx, vv)
        elif scc_row:
            pre = evex_bytes(mp, w, row.pp, ((regv >> 3) & 1, (regv >> 4) & 1), rmx, 0, 0, 0,
                             scc=(kk * 7 + 3) % 16 if not full else kk % 16,
                             dfv=(kk * 5) % 16)
        else:
            pre = evex_bytes(mp, w, row.pp, ((regv >> 3) & 1, (regv >> 4) & 1), rmx, vv,
                             nd, nf)
        g.emit(pre + [opc] + modrm_tail + imm_tail(kk), row, note)

    regn = reg_range(s.reg, egpr) if s.reg in ('gpr', 'k', 'tmm') else 1
    vvn = reg_range(s.vvvv, egpr) if s.vvvv else 1
    rmn = reg_range(s.rm, egpr) if s.rm_reg else 0

    def pick(n, i, salt):
        return (i * 7 + salt * 3 + 5) % n if n else 0

    # register forms
    if s.rm_reg:
        slots = [x for x in ('reg', 'rm', 'vvvv') if {'reg': regn, 'rm': rmn,
                                                          'vvvv': vvn}[x] > 1]
        for slot in slots or ['rm']:
            n = {'reg': regn, 'rm': rmn, 'vvvv': vvn}[slot]
            vals = range(n) if full else sorted({(k + j * 5) % n for j in range(4)} |
                                                {n - 1, 0})
            for v in vals:
                rg = v if slot == 'reg' else pick(regn, v + k, 1)
                rm = v if slot == 'rm' else pick(rmn, v + k, 2)
                vv = v if slot == 'vvvv' else pick(vvn, v + k, 3)
                if s.reg == 'k' or s.reg == 'tmm':
                    rg &= 7
                if s.vvvv is None and not scc_row:
                    vv = 0
                if p2p and (rm == 4 or vv == 4 or (row.op == '8f' and rm == vv)):
                    continue
                regf = fixed_reg if fixed_reg is not None else (rg & 7 if s.reg else
                                                                  (v + k) % 8)
                regbits = rg if s.reg in ('gpr', 'k', 'tmm') else 0
                modrm = 0xc0 | (regf << 3) | (rm & 7)
                rmx = ((rm >> 3) & 1, (rm >> 4) & 1 if s.rm == 'gpr' else 0, 0, 0)
                if is_vex:
                    rmx = ((rm >> 3) & 1, 0, 0, 0)
                build(regbits, rmx, vv, [modrm], k, ' reg')
                k += 1
    # memory forms
    if s.rm_mem:
        need_sib = 'sibmem' in row.attrs
        for (base, index, scale, dk) in mem_forms(full):
            if row.handler == 'setcc' and not nd and dk == 1:
                dk = 4    # LLVM 19 scales disp8 by 16 on EVEX SETcc with ND=0 (2.5)
            if is_vex and ((isinstance(base, int) and base >= 16) or
                           (index is not None and index >= 16)):
                continue
            if need_sib and (index is None or base in (None, 'rip')):
                continue
            rg = pick(regn, k, 1)
            vv = pick(vvn, k, 3) if s.vvvv else 0
            if s.reg in ('k', 'tmm'):
                rg &= 7
            mod, rm, sib, disp, b3, b4, x3, x4 = encode_mem(base, index, scale, dk, k, need_sib)
            regf = fixed_reg if fixed_reg is not None else (rg & 7 if s.reg else k % 8)
            regbits = rg if s.reg in ('gpr', 'k', 'tmm') else 0
            tail = [(mod << 6) | (regf << 3) | rm] + ([sib] if sib is not None else []) + disp
            build(regbits, (b3, b4, x3, x4), vv, tail, k, ' mem')
            k += 1
        # 67 prefix: 32-bit addressing with EGPRs
        if full and not is_vex:
            for base in (16, 29, 3):
                if need_sib:
                    continue
                dk = 4 if row.handler == 'setcc' and not nd else 1
                mod, rm, sib, disp, b3, b4, x3, x4 = encode_mem(base, None, 0, dk, k)
                rg = pick(regn, k, 1)
                regf = fixed_reg if fixed_reg is not None else (rg & 7 if s.reg else 0)
                regbits = rg if s.reg in ('gpr', 'k', 'tmm') else 0
                vv = pick(vvn, k, 3) if s.vvvv else 0
                pre = evex_bytes(mp, w, row.pp, ((regbits >> 3) & 1, (regbits >> 4) & 1),
                                 (b3, b4, x3, x4), vv, nd, nf,
                                 scc=(k % 16) if scc_row else None, dfv=k % 16)
                g.emit([0x67] + pre + [opc, (mod << 6) | (regf << 3) | rm] + disp +
                       imm_tail(k), row, ' a32')
                k += 1
    return k


def gen_apx(g, rows):
    k = 0
    for row in rows:
        if not row.apxfile or gap(row):
            continue
        if row.enc in ('evex', 'vex'):
            for opc, cc, _ in expand_opcodes(row):
                for var in variants(row):
                    k = gen_evex_row(g, row, opc, cc, var, k) or k
        elif row.enc == 'leg' and 'rex2' in row.cond:
            k = gen_rex2_only(g, row, k)
        elif row.enc == 'leg':
            k = gen_legacy_plain(g, row, k)


def gen_rex2_only(g, row, k):
    opc = int(row.op.split('+')[0], 16)
    w = 1 if 'w1' in row.cond else 0
    if row.op.endswith('+r'):
        for r in range(32):
            ign = (k % 4) << 5 if r % 3 == 0 else 0     # R4/X4 are ignored
            payload = ign | ((r >> 4) & 1) << 4 | w << 3 | ((r >> 3) & 1)
            if r % 5 == 0:
                payload |= 0x06                          # R3/X3 are ignored too
            g.emit([0xd5, payload, opc + (r & 7)], row)
            k += 1
        return k
    # JMPABS: every ignored payload bit, some segment prefixes
    for n in range(12):
        payload = (0x77 & (n * 0x13)) & ~0x08
        pre = [[], [0x64], [0x2e], [0x3e]][n % 4]
        imm = imm_bytes(8, k + n)
        g.emit(pre + [0xd5, payload, opc] + imm, row)
    return k + 12


def gen_legacy_plain(g, row, k):
    """USER_MSR register forms and other non-REX2 legacy rows kept in apx*.tbl."""
    s = Slots(row)
    mp = map_number(row)
    esc = {1: [0x0f], 2: [0x0f, 0x38], 3: [0x0f, 0x3a]}.get(mp, [])
    pre = {'66': [0x66], 'f2': [0xf2], 'f3': [0xf3]}.get(row.pp, [])
    for rg in range(16):
        rm = (rg * 7 + 3) % 16
        rex = 0x48 | ((rg >> 3) << 2) | (rm >> 3)
        g.emit(pre + [rex] + esc + [int(row.op, 16), 0xc0 | ((rg & 7) << 3) | (rm & 7)], row)
        k += 1
    return k


# ---------------------------------------------------------------------------------------
# REX2 forms of legacy rows

def rex2_payload(m0, r, x, b, w):
    return (m0 << 7) | (((r >> 4) & 1) << 6) | (((x >> 4) & 1) << 5) | (((b >> 4) & 1) << 4) | \
        (w << 3) | (((r >> 3) & 1) << 2) | (((x >> 3) & 1) << 1) | ((b >> 3) & 1)


def gen_rex2_legacy(g, rows):
    claimed = set()
    for row in rows:
        if row.enc == 'leg' and 'rex2' in row.cond:
            for opc, _, _ in expand_opcodes(row):
                claimed.add((map_number(row), opc, 1 if 'w1' in row.cond else 0))
    k = 0
    for row in rows:
        if row.enc != 'leg' or row.apxfile or 'norex2' in row.attrs or 'rex2' in row.cond:
            continue
        mp = map_number(row)
        if mp not in (0, 1):
            continue
        s = Slots(row)
        if s.bad:
            continue
        for opc, cc, zreg in expand_opcodes(row):
            if opc in REX2_UD[mp] or (mp, opc) in LLVM19_REX2_GAPS:
                continue
            k = gen_rex2_row(g, row, s, mp, opc, zreg, claimed, k)


def gen_rex2_row(g, row, s, mp, opc, zreg, claimed, k):
    types = [split_operand(o)[1] for o in row.ops if split_operand(o)[0] in GPR_METHODS]
    sized = any(t in ('v', 'z', 'y') for t in types)
    if 'w1' in row.cond or 'o64' in row.cond:
        sizes = [(1, False)]
    elif 'w0' in row.cond:
        sizes = [(0, row.pp == '66' or 'o16' in row.cond)]
    elif 'o16' in row.cond:
        sizes = [(0, True)]
    elif sized and row.pp in ('-', '66'):
        sizes = [(0, False), (1, False), (0, True)] if row.pp == '-' else [(0, True), (1, True)]
    else:
        sizes = [(0, False), (1, False)] if sized else [(0, False)]
    if any(split_operand(o)[0] in ('V', 'W', 'U', 'P', 'Q', 'N') for o in row.ops):
        sizes = sizes[:1] if not sized else sizes
    mpre = {'66': [0x66], 'f2': [0xf2], 'f3': [0xf3]}.get(row.pp, [])
    if 'a32' in row.cond:
        mpre = [0x67] + mpre
    fixed_modrm = int(row.modrm[1:], 16) if row.modrm.startswith('=') else None
    fixed_reg = int(row.modrm[1]) if row.modrm[1:2].isdigit() else None
    has_modrm = row.modrm != '-'
    vector = any(split_operand(o)[0] in ('V', 'W', 'U', 'P', 'Q', 'N') for o in row.ops)
    for si, (w, p66) in enumerate(sizes):
        if (mp, opc, w) in claimed:
            continue
        if w and vector and row.pp in ('66', 'f2', 'f3'):
            continue
        if mp == 0 and 0x50 <= opc <= 0x5f and w == 0:
            continue      # LLVM 19 prints PUSH/POP with REX2.W=0 as PUSHP/POPP (apx-isa.md 1.4)
        pre = ([0x66] if p66 and row.pp != '66' else []) + mpre
        osz = 8 if w else (2 if p66 else 4)

        def imms(kk):
            out = []
            for t in s.imms:
                out += imm_bytes(imm_size(t, osz), kk)
            return out

        def emit(r, x, b, tail, kk, note=''):
            g.emit(pre + [0xd5, rex2_payload(mp, r, x, b, w), opc] + tail + imms(kk), row, note)

        if not has_modrm:
            if zreg or s.z:
                for r in range(16, 32) if si == 0 else (16, 23, 31):
                    if mp == 0 and opc == 0x90 and r == 16:
                        continue
                    g.emit(pre + [0xd5, rex2_payload(mp, 0, 0, r, w), opc + (r & 7)] + imms(k),
                           row)
                    k += 1
            else:
                emit(0, 0, 0, [], k)
                k += 1
            continue
        if fixed_modrm is not None:
            emit(0, 0, 0, [fixed_modrm], k)
            k += 1
            continue
        gpr_reg = s.reg == 'gpr'
        gpr_rm = s.rm == 'gpr'
        regvals = range(16, 32) if si == 0 else (16, 21, 31)
        if s.rm_reg and (mp, opc) not in LLVM19_REX2_REG_GAPS:
            for slot in [x for x, on in (('reg', gpr_reg), ('rm', gpr_rm)) if on] or ['none']:
                for v in regvals:
                    r = v if slot == 'reg' else ((v * 3) % 16 + 16 if gpr_reg else 0)
                    b = v if slot == 'rm' else ((v * 5) % 16 + 16 if gpr_rm else 0)
                    if not gpr_reg:
                        r = 0
                    if not gpr_rm:
                        b = 0
                    regf = fixed_reg if fixed_reg is not None else (r & 7)
                    emit(r, 0, b, [0xc0 | (regf << 3) | (b & 7)], k, ' reg')
                    k += 1
        if s.rm_mem:
            forms = [(b, None, 0, (0, 1, 4)[b % 3]) for b in (range(16, 32) if si == 0
                                                               else (16, 20, 29))]
            forms += [(b, i, i % 4, (1, 4, 0)[i % 3]) for i, b in
                      (zip(range(16, 32), [3, 5, 12, 13, 0, 21, 31, 8, 16, 1, 7, 28, 4, 20,
                                           29, 30]) if si == 0 else ((20, 1), (28, 17)))]
            forms += [('rip', None, 0, 4), (None, 20, 2, 4)]
            for (base, index, scale, dk) in forms:
                r = ((k * 3) % 16 + 16) if gpr_reg else 0
                mod, rm, sib, disp, b3, b4, x3, x4 = encode_mem(base, index, scale, dk, k)
                regf = fixed_reg if fixed_reg is not None else (r & 7)
                bb = (b4 << 4) | (b3 << 3)
                xx = (x4 << 4) | (x3 << 3)
                emit(r, xx, bb, [(mod << 6) | (regf << 3) | rm] + ([sib] if sib is not None
                                                                  else []) + disp, k, ' mem')
                k += 1
    return k


# ---------------------------------------------------------------------------------------
# Negative corpus: HEX<TAB>REASON<TAB>citation[<TAB>noapx]

S12, S13, S23, S29, S3 = ('apx-isa.md 1.2', 'apx-isa.md 1.3', 'apx-isa.md 2.3',
                          'apx-isa.md 2.9', 'apx-isa.md 3')

# Valid encodings that the rules below break one bit at a time. Flags: r register form,
# m memory form, B has a vvvv operand, D ND=1 allowed, F NF=1 allowed, S CCMP/CTEST,
# V EVEX form of a VEX instruction, 7 map 7, b byte opcode.
NEG_SAMPLES = [
    ('62 f4 fc 08 01 c3', 'rDF', 'add'), ('62 f4 f4 18 01 c3', 'rBDF', 'add ndd'),
    ('62 f4 fc 08 81 c0 78 56 34 12', 'rDF', 'add imm'), ('62 f4 fc 08 11 c3', 'rD', 'adc'),
    ('62 f4 7c 08 80 db 7b', 'rDb', 'sbb imm8'), ('62 f4 fc 08 f7 d3', 'rD', 'not'),
    ('62 f4 fc 08 f7 db', 'rDF', 'neg'), ('62 f4 fc 08 d1 d3', 'rD', 'rcl'),
    ('62 f4 fc 08 c1 e3 05', 'rDF', 'shl imm'), ('62 f4 fc 08 f7 e3', 'rF', 'mul'),
    ('62 f4 fc 08 f7 f3', 'rF', 'div'), ('62 f4 fc 08 af d8', 'rDF', 'imul'),
    ('62 f4 fc 08 6b d8 05', 'rDF', 'imul imm'), ('62 f4 fc 08 24 c3 03', 'rDF', 'shld'),
    ('62 f4 fc 08 88 d8', 'rF', 'popcnt'), ('62 f4 fc 08 f4 d8', 'rF', 'tzcnt'),
    ('62 f4 fc 08 f5 d8', 'rF', 'lzcnt'), ('62 f4 fc 08 42 c3', 'rDFC', 'cfcmovb'),
    ('62 f4 7f 08 42 c0', 'rD', 'setb'), ('62 f4 84 02 39 c3', 'rS', 'ccmpb'),
    ('62 f4 84 0c 85 c3', 'rS', 'ctestl'), ('62 f4 fc 08 60 c3', 'r', 'movbe'),
    ('62 f4 fc 08 f1 c3', 'r', 'crc32'), ('62 f4 fd 08 66 d8', 'rD', 'adcx'),
    ('62 f4 fe 08 66 d8', 'rD', 'adox'), ('62 f4 7f 08 f8 c1', 'r', 'urdmsr'),
    ('62 f4 7c 08 f9 00', 'm', 'movdiri'), ('62 f4 7e 08 f2 00', 'm', 'invpcid'),
    ('62 f4 fc 08 fc 00', 'm', 'aadd'), ('62 f4 fc 08 66 00', 'm', 'wrssq'),
    ('62 f4 7f 08 f8 00', 'm', 'enqcmd'), ('62 f4 7d 08 f8 00', 'm', 'movdir64b'),
    ('62 f7 7f 08 f8 c1 23 01 00 00', 'r7', 'urdmsr imm'),
    ('62 f7 7f 08 f6 c1 7b 00 00 00', 'r7', 'rdmsr imm'),
    ('62 f2 e4 08 f2 c8', 'rBFV', 'andn'), ('62 f2 e4 08 f3 cb', 'rBFV', 'blsr'),
    ('62 f2 fc 08 f5 cb', 'rBFV', 'bzhi'), ('62 f2 e7 08 f6 c8', 'rBV', 'mulx'),
    ('62 f2 e7 08 f5 c8', 'rBV', 'pdep'), ('62 f2 fd 08 f7 cb', 'rBV', 'shlx'),
    ('62 f3 ff 08 f0 d8 03', 'rV', 'rorx'), ('62 f1 ff 08 92 c8', 'rV', 'kmovq'),
    ('62 f1 7c 08 93 c1', 'rV', 'kmovw'), ('62 f2 fd 08 e6 18', 'mBV', 'cmpbexadd'),
    ('62 f2 7c 08 49 00', 'mV', 'ldtilecfg'), ('62 f4 7c 08 00 c3', 'rDFb', 'add byte'),
    ('62 f4 7c 08 02 c3', 'rDFb', 'add byte rev'), ('62 f4 7c 08 c0 e3 03', 'rDFb', 'shl byte'),
    ('62 f4 7c 08 d0 e3', 'rDFb', 'shl1 byte'), ('62 f4 7c 08 d2 e3', 'rDFb', 'shlcl byte'),
    ('62 f4 7c 08 f6 db', 'rDFb', 'neg byte'), ('62 f4 7c 08 fe c3', 'rDFb', 'inc byte'),
    ('62 f4 04 02 38 c3', 'rSb', 'ccmp byte'), ('62 f4 04 02 3a c3', 'rSb', 'ccmp byte rev'),
    ('62 f4 04 02 84 c3', 'rSb', 'ctest byte'), ('62 f4 04 02 f6 c3 05', 'rSb', 'ctest imm8'),
    ('62 f4 7c 08 f6 e3', 'rFb', 'mul byte'),
]


NEG_HEAD = """\
# APX #UD corpus, written by tests/oracle/apx_corpus.py --negative.
# HEX<TAB>REASON<TAB>citation[<TAB>noapx]: REASON is the ae_ud_reason_name() the decoder must
# report; `noapx` lines are decoded with APX disabled (ae_decode_ctx.apx = false).
# LLVM 19 accepts many of these (apx-isa.md 5.7); it is not the oracle for validity here.
"""


def hx(s):
    return [int(x, 16) for x in s.split()]


def neg_lines():
    out = []

    def add(bs, reason, cite, noapx=False):
        line = '%s\t%s\t%s' % (' '.join('%02x' % b for b in bs), reason, cite)
        out.append(line + ('\tnoapx' if noapx else ''))

    def mut(bs, idx, orv=0, andv=0xff, xorv=0):
        b = list(bs)
        b[idx] = ((b[idx] & andv) | orv) ^ xorv
        return b

    # --- EVEX payload rules (2.3) on every sample
    for n, (hexs, fl, name) in enumerate(NEG_SAMPLES):
        b = hx(hexs)
        cite = S23 + ' ' + name
        add(mut(b, 3, 0x80), 'evex-reserved', cite + ', EVEX.z=1')
        add(mut(b, 3, 0x40), 'evex-reserved', cite + ", EVEX.L'=1")
        add(mut(b, 3, 0x20), 'evex-reserved', cite + ', EVEX.L=1')
        if 'S' not in fl:
            add(mut(b, 3, 0x01), 'evex-reserved', cite + ', P2[0]=1')
            add(mut(b, 3, 0x02), 'evex-reserved', cite + ', P2[1]=1')
        if 'r' in fl:
            add(mut(b, 2, 0, 0xfb), 'evex-u', cite + ', U=0 on a register form')
        if 'B' not in fl and 'S' not in fl:
            add(mut(b, 2, 0, 0xff, 0x08), 'vvvv', cite + ', vvvv!=1111 without NDD')
            add(mut(b, 2, 0, 0x87), 'vvvv', cite + ', vvvv=0000 without NDD')
            add(mut(b, 3, 0, 0xf7), 'vvvv', cite + ', V4=1 without NDD')
        if 'D' not in fl and 'B' not in fl or 'S' in fl or 'V' in fl:
            if not b[3] & 0x10:
                add(mut(b, 3, 0x10), 'nd', cite + ', ND=1 not supported')
        if 'F' not in fl and 'C' not in fl and 'S' not in fl:
            add(mut(b, 3, 0x04), 'nf', cite + ', NF=1 not supported')
        pres = (0x66, 0xf2, 0xf3, 0xf0, 0x40, 0x48, 0x4f, 0x44)
        for p in (pres[n % 8], pres[(n + 3) % 8]):
            add([p] + b, 'vex-prefix', cite + ', %02x before 62' % p)
        add(b, 'apx-disabled', S3 + ' ' + name + ', EVEX map 4/7 or promoted form', True)
        if 'b' in fl:
            add(mut(b, 2, 0x01), 'opcode', cite + ', pp=66 on a byte opcode')
            if 'S' not in fl and b[4] not in (0xf6,):
                add(mut(b, 2, 0x03), 'opcode', cite + ', pp=F2 on a byte opcode')
    # map 0 and unassigned EVEX maps
    for mp in (0, ):
        add([0x62, 0xf0 | mp, 0x7c, 0x08, 0x01, 0xc3], 'evex-map', S23 + ', EVEX map 0')
    # W where the form fixes it (4.*, 2.2)
    for hexs, name in (('62 f4 ff 08 f8 00', 'enqcmd'), ('62 f4 fd 08 f8 00', 'movdir64b'),
                       ('62 f4 fe 08 f8 00', 'enqcmds'), ('62 f4 ff 08 f8 c1', 'urdmsr'),
                       ('62 f4 fe 08 f8 c1', 'uwrmsr'), ('62 f4 ff 08 42 c0', 'setb'),
                       ('62 f4 ff 18 42 c0', 'setzub'),
                       ('62 f7 ff 08 f8 c1 23 01 00 00', 'urdmsr imm'),
                       ('62 f7 ff 08 f6 c1 7b 00 00 00', 'rdmsr imm'),
                       ('62 f7 fe 08 f6 c1 7b 00 00 00', 'wrmsrns imm'),
                       ('62 f2 fc 08 49 00', 'ldtilecfg'), ('62 f1 fc 08 92 c8', 'kmovw W1'),
                       ('c4 e7 fb f6 c1 7b 00 00 00', 'vex rdmsr imm'),
                       ('c4 e7 fa f6 c1 7b 00 00 00', 'vex wrmsrns imm'),
                       ('c4 e7 fb f8 c1 23 01 00 00', 'vex urdmsr imm')):
        add(hx(hexs), 'w', 'apx-isa.md 4, 5.3 ' + name + ', W=1')
    # VEX map 7 (MSR_IMM / USER_MSR imm): L, vvvv, ModRM.reg, mod, prefixes
    for hexs, name in (('c4 e7 7b f6 c1 7b 00 00 00', 'rdmsr imm'),
                       ('c4 e7 7a f6 c1 7b 00 00 00', 'wrmsrns imm'),
                       ('c4 e7 7b f8 c1 23 01 00 00', 'urdmsr imm'),
                       ('c4 e7 7a f8 c1 23 01 00 00', 'uwrmsr imm')):
        b = hx(hexs)
        cite = 'apx-isa.md 4 ' + name
        add(mut(b, 2, 0x04), 'vl', cite + ', VEX.L=1')
        add(mut(b, 2, 0, 0x87), 'vvvv', cite + ', vvvv!=1111')
        add(mut(b, 4, 0, 0x3f), 'mod', cite + ', memory form')
        for p in (0x66, 0xf2, 0xf3, 0xf0, 0x48):
            add([p] + b, 'vex-prefix', cite + ', %02x before C4' % p)
    for hexs, name in (('c4 e7 7b f6 c9 7b 00 00 00', 'rdmsr imm /1'),
                       ('62 f7 7f 08 f6 c9 7b 00 00 00', 'evex rdmsr imm /1'),
                       ('c4 e7 79 f6 c1 7b 00 00 00', 'map7 F6 pp=66'),
                       ('c4 e7 78 f8 c1 23 01 00 00', 'map7 F8 pp=np'),
                       ('62 f7 7d 08 f8 c1 23 01 00 00', 'evex map7 F8 pp=66')):
        add(hx(hexs), 'opcode', 'apx-isa.md 4 ' + name)
    for hexs, name in (('62 f7 7f 08 f8 01 23 01 00 00', 'urdmsr imm'),
                       ('62 f7 7f 08 f6 01 7b 00 00 00', 'rdmsr imm'),
                       ('62 f4 7c 08 f9 c0', 'movdiri'), ('62 f4 7e 08 f2 c0', 'invpcid'),
                       ('62 f4 7e 08 f0 c0', 'invept'), ('62 f4 7e 08 f1 c0', 'invvpid'),
                       ('62 f4 fc 08 fc c0', 'aadd'), ('62 f4 fd 08 fc c0', 'aand'),
                       ('62 f4 fc 08 66 c0', 'wrssq'), ('62 f4 fd 08 65 c0', 'wrussq'),
                       ('62 f4 7d 08 f8 c0', 'movdir64b'), ('62 f2 fd 08 e6 c3', 'cmpbexadd'),
                       ('62 f2 7c 08 49 c0', 'ldtilecfg'), ('62 f2 7d 08 49 c0', 'sttilecfg'),
                       ('62 f1 7c 08 91 c1', 'kmovw store'), ('62 f1 7c 08 92 01', 'kmovw k,r'),
                       ('62 f1 7c 08 93 01', 'kmovw r,k'), ('62 f4 64 18 ff 30', 'push2'),
                       ('62 f4 64 18 8f 00', 'pop2')):
        add(hx(hexs), 'mod', 'apx-isa.md 2.2 ' + name + ', wrong ModRM.mod')
    # --- PUSH2/POP2 (2.9)
    for op, rg, nm in ((0xff, 6, 'push2'), (0x8f, 0, 'pop2')):
        for w in (0, 1):
            for other in (0, 3, 16, 31):
                for rsp_slot in ('vvvv', 'rm'):
                    v, r = (4, other) if rsp_slot == 'vvvv' else (other, 4)
                    b = evex_bytes(4, w, 'np', (0, 0), ((r >> 3) & 1, r >> 4, 0, 0), v, 1, 0)
                    add(b + [op, 0xc0 | (rg << 3) | (r & 7)], 'push2pop2',
                        S29 + ' %s%s with RSP' % (nm, 'p' if w else ''))
        b = evex_bytes(4, 0, 'np', (0, 0), (0, 0, 0, 0), 3, 1, 1)
        add(b + [op, 0xc0 | (rg << 3) | 0], 'nf', S29 + ' %s NF=1' % nm)
        b = evex_bytes(4, 0, '66', (0, 0), (0, 0, 0, 0), 3, 1, 0)
        add(b + [op, 0xc0 | (rg << 3) | 0], 'opcode', S29 + ' %s pp=66' % nm)
        b = evex_bytes(4, 0, 'np', (0, 0), (0, 0, 0, 0), 3, 0, 0)
        add(b + [op, 0xc0 | (rg << 3) | 0], 'nd', S29 + ' %s ND=0' % nm)
    for r in range(32):
        if r == 4:
            continue
        w = r & 1
        b = evex_bytes(4, w, 'np', (0, 0), ((r >> 3) & 1, r >> 4, 0, 0), r, 1, 0)
        add(b + [0x8f, 0xc0 | (r & 7)], 'push2pop2', S29 + ' pop2%s of one register twice'
            % ('p' if w else ''))
    # --- REX2 (1.2, 1.3, 1.5)
    tails0 = {0x70: [0x10], 0xa0: [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11],
              0xa8: [0x7b], 0xa9: [0x78, 0x56, 0x34, 0x12], 0xe0: [0x10], 0xe4: [0x60],
              0xe5: [0x60], 0xe6: [0x60], 0xe7: [0x60], 0xe8: [0, 1, 0, 0], 0xe9: [0, 1, 0, 0],
              0xea: [0, 0, 0, 0, 0x10, 0], 0xeb: [0x10]}

    def tail0(op):
        if 0x70 <= op <= 0x7f or 0xe0 <= op <= 0xe3:
            return [0x10]
        if 0xa0 <= op <= 0xa3:
            return tails0[0xa0]
        return tails0.get(op, [])
    payloads = [0x00, 0x10, 0x48, 0x7f]
    for op in sorted(REX2_UD[0]):
        ps = payloads if op in (0x0f, 0x70, 0xa0, 0xa4, 0xe8, 0xe9) else [payloads[op % 4]]
        for p in ps:
            if 0x40 <= op <= 0x4f:
                add([0xd5, p, op, 0x01, 0xc0], 'rex2-prefix', S12 + ' REX %02x after REX2' % op)
            elif op == 0x0f:
                add([0xd5, p, 0x0f, 0xaf, 0xc0], 'rex2-opcode', S12 + ' 0F escape after REX2')
            else:
                add([0xd5, p] + [op] + tail0(op), 'rex2-opcode', S12 + ' map 0 %02x' % op)
    for op in sorted(REX2_UD[1]):
        ps = [0x80, 0x90, 0xc8, 0xff] if op in (0x30, 0x38, 0x3a, 0x80, 0x8f) else \
            [[0x80, 0x90, 0xc8, 0xff][op % 4]]
        tail = {0x38: [0x00, 0xc0], 0x3a: [0x0f, 0xc0, 0x01]}.get(op, [])
        if 0x80 <= op <= 0x8f:
            tail = [0x10, 0, 0, 0]
        for p in ps:
            add([0xd5, p, op] + tail, 'rex2-opcode', S12 + ' map 1 %02x' % op)
    for rg, nm in ((4, 'xsave'), (5, 'xrstor'), (6, 'xsaveopt')):
        for p, sfx in ((0x80, ''), (0x88, '64'), (0x91, ''), (0xd9, '64')):
            add([0xd5, p, 0xae, (rg << 3) | 1], 'rex2-opcode',
                S12 + ' %s%s' % (nm, sfx))
    for rg, nm in ((3, 'xrstors'), (4, 'xsavec'), (5, 'xsaves')):
        for p, sfx in ((0x80, ''), (0x88, '64'), (0x91, ''), (0xd9, '64')):
            add([0xd5, p, 0xc7, (rg << 3) | 1], 'rex2-opcode', S12 + ' %s%s' % (nm, sfx))
    for op in (0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3):
        for p in (0x00, 0x18):
            add([0xd5, p, op, 0x01, 0xc0], 'rex2-prefix', S13 + ' prefix %02x after REX2' % op)
    for p in (0x00, 0x10, 0x7f):
        add([0xd5, p, 0xd5, 0x00, 0x01, 0xc0], 'rex2-prefix', S13 + ' REX2 after REX2')
        add([0xd5, p, 0xc5, 0xf8, 0x77], 'rex2-prefix', S13 + ' VEX C5 after REX2')
        add([0xd5, p, 0xc4, 0xe2, 0x78, 0xf2, 0xc0], 'rex2-prefix', S13 + ' VEX C4 after REX2')
        add([0xd5, p, 0x62, 0xf4, 0x7c, 0x08, 0x01, 0xc0], 'rex2-prefix',
            S13 + ' EVEX after REX2')
    for rex in range(0x40, 0x50):
        add([rex, 0xd5, 0x10, 0x01, 0xc0], 'rex2-after-rex', S13 + ' REX %02x before REX2' % rex)
    add([0x48, 0xd5, 0x80, 0xaf, 0xc0], 'rex2-after-rex', S13 + ' REX before REX2 (map 1)')
    add([0x41, 0xd5, 0x00, 0xa1] + [0x11] * 8, 'rex2-after-rex', S13 + ' REX before JMPABS')
    imm = [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]
    for p in (0x08, 0x0f, 0x78, 0x7f, 0x48, 0x18):
        add([0xd5, p, 0xa1] + imm, 'jmpabs', 'apx-isa.md 1.5 JMPABS with REX2.W=1')
    for pre in (0x66, 0x67, 0xf2, 0xf3):
        for p in (0x00, 0x77):
            add([pre, 0xd5, p, 0xa1] + imm, 'jmpabs', 'apx-isa.md 1.5 JMPABS with %02x' % pre)
    add([0x66, 0x67, 0xd5, 0x00, 0xa1] + imm, 'jmpabs', 'apx-isa.md 1.5 JMPABS with 66 67')
    # LOCK on REX2 forms that do not allow it
    for bs, nm in (([0xf0, 0xd5, 0x10, 0x8b, 0x00], 'mov load'),
                   ([0xf0, 0xd5, 0x18, 0x01, 0xc0], 'add register destination'),
                   ([0xf0, 0xd5, 0xc0, 0xaf, 0x00], 'imul'),
                   ([0xf0, 0xd5, 0x10, 0x50], 'push')):
        add(bs, 'lock', S13 + ' LOCK with REX2 on ' + nm)
    add([0x66] * 12 + [0xd5, 0x18, 0x81, 0xc0, 0x78, 0x56, 0x34, 0x12], 'too-long',
        S13 + ' REX2 instruction longer than 15 bytes')
    # byte strings quoted as invalid in apx-isa.md 1.3 and 5.7
    for hexs, reason, nm in (('d5 00 48 33 c0', 'rex2-prefix', '1.3 REX after REX2'),
                             ('d5 80 ae 20', 'rex2-opcode', '5.7 XSAVE with REX2'),
                             ('d5 80 30', 'rex2-opcode', '5.7 WRMSR with REX2'),
                             ('d5 00 0f 00 c0', 'rex2-opcode', '5.7 0F escape after REX2'),
                             ('62 f4 fc 00 01 c3', 'vvvv', '2.3 V4=1 without NDD')):
        add(hx(hexs), reason, 'apx-isa.md ' + nm + ' (quoted example)')
    # APX disabled: REX2 and the extended-GPR bits of EVEX
    for hexs, nm in (('d5 10 89 c0', 'REX2 mov'), ('d5 00 01 c0', 'REX2 with no EGPR'),
                     ('d5 80 af c0', 'REX2 map 1'), ('d5 18 50', 'PUSHP'), ('d5 08 5b', 'POPP'),
                     ('d5 00 a1 88 77 66 55 44 33 22 11', 'JMPABS'),
                     ('f3 d5 d8 b8 c8', 'REX2 popcnt'), ('66 d5 98 6e c0', 'REX2 movq'),
                     ('62 f9 fe 48 6f 08', 'AVX-512 with B4=1'),
                     ('62 f1 fa 48 6f 0c c8', 'AVX-512 with U=0 (X4) on memory'),
                     ('62 e1 7e 08 2c c1', 'AVX-512 with R4 naming a GPR'),
                     ('62 f9 7d 08 7e c8', 'vmovd r16d (B4)'),
                     ('62 f4 7c 08 01 c3', 'EVEX map 4'),
                     ('62 f7 7f 08 f8 c1 23 01 00 00', 'EVEX map 7')):
        add(hx(hexs), 'apx-disabled', S3 + ' ' + nm, True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--only', choices=('apx', 'rex2'))
    ap.add_argument('--annotate', action='store_true')
    ap.add_argument('--isa', default=os.path.join(ROOT, 'isa'))
    ap.add_argument('--negative', action='store_true',
                    help='print the negative corpus (tests/data/apx-negative.txt) instead')
    a = ap.parse_args()
    if a.negative:
        sys.stdout.write(NEG_HEAD + '\n'.join(neg_lines()) + '\n')
        return
    rows = load_rows(a.isa)
    g = Gen(a.annotate)
    if a.only in (None, 'apx'):
        gen_apx(g, rows)
    if a.only in (None, 'rex2'):
        gen_rex2_legacy(g, rows)
    sys.stdout.write('\n'.join(g.out) + ('\n' if g.out else ''))


if __name__ == '__main__':
    main()
