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
        disp_kind = 1
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
                mod, rm, sib, disp, b3, b4, x3, x4 = encode_mem(base, None, 0, 1, k, need_sib
                                                                and False)
                if need_sib:
                    continue
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
            if opc in REX2_UD[mp]:
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
    for si, (w, p66) in enumerate(sizes):
        if (mp, opc, w) in claimed:
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
        if s.rm_reg:
            for slot in [x for x, on in (('reg', gpr_reg), ('rm', gpr_rm)) if on] or ['none']:
                for v in regvals:
                    r = v if slot == 'reg' else ((v * 3) % 16 + 16 if gpr_reg else 0)
                    b = v if slot == 'rm' else ((v * 5) % 16 + 16 if gpr_rm else 0)
                    if not gpr_reg:
                        r = r & 7 if s.reg == 'other' and False else 0
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--only', choices=('apx', 'rex2'))
    ap.add_argument('--annotate', action='store_true')
    ap.add_argument('--isa', default=os.path.join(ROOT, 'isa'))
    a = ap.parse_args()
    rows = load_rows(a.isa)
    g = Gen(a.annotate)
    if a.only in (None, 'apx'):
        gen_apx(g, rows)
    if a.only in (None, 'rex2'):
        gen_rex2_legacy(g, rows)
    sys.stdout.write('\n'.join(g.out) + ('\n' if g.out else ''))


if __name__ == '__main__':
    main()
