#!/usr/bin/env python3
"""isagen: reads the instruction table (isa/*.tbl), lints it, and emits the decoder's tables.

    isagen.py --lint ISADIR            check every row; exit 1 on the first batch of errors
    isagen.py --out OUTDIR ISADIR      write OUTDIR/ae_gen.h and OUTDIR/ae_gen.c
    isagen.py --list ISADIR            print the expanded rows, one per line (for tools)

The row grammar is documented once, in isa/README.md. Other tools (corpus generators) may
`import isagen` and call `load_table(dir)` to get the parsed, expanded rows.
"""
import os
import re
import sys

# ---------------------------------------------------------------------------------------------
# Vocabulary. The C side sees these lists as enums in ae_gen.h, in this order.

METHODS = ['E', 'G', 'M', 'R', 'B', 'Z', 'I', 'J', 'O', 'S', 'C', 'D', 'P', 'Q', 'N',
           'V', 'W', 'U', 'H', 'L', 'KG', 'KE', 'KR', 'KH', 'TG', 'TE', 'TH', 'BG', 'BE',
           'X', 'Y', 'Ar', 'FIXED']
# Fixed operands: whole tokens, no type.
FIXED = ['AL', 'CL', 'DX', 'rAX', 'eAX', 'AX', 'EAX', 'RAX', 'ST0', 'STi', 'XMM0', 'ES',
         'CS', 'SS', 'DS', 'FS', 'GS', '1', 'rDX', 'rCX', 'rBX']
TYPES = ['', 'b', 'w', 'd', 'q', 'v', 'z', 'y', 'bs', 'ds', 'dq', 'qq', 'dqq', 'x', 'ps', 'pd',
         'ph', 'xh', 'xq', 'xo', 'ss', 'sd', 'sh', 't', 'p', 's', 'env', 'st', 'fx', 'xs',
         '64b', 'G', 'AX']
# Types that each method accepts (None = any type of TYPES).
VEC_METHODS = {'V', 'W', 'U', 'H', 'L'}
GPR_TYPES = {'b', 'w', 'd', 'q', 'v', 'z', 'y'}
VEC_TYPES = {'b', 'w', 'd', 'q', 'dq', 'qq', 'dqq', 'x', 'ps', 'pd', 'ph', 'xh', 'xq', 'xo',
             'ss', 'sd', 'sh', 'y'}
METHOD_TYPES = {
    'E': GPR_TYPES | {'p'}, 'G': GPR_TYPES, 'R': GPR_TYPES, 'B': GPR_TYPES, 'Z': GPR_TYPES,
    'M': None, 'I': {'b', 'w', 'd', 'q', 'v', 'z', 'bs', 'ds'}, 'J': {'b', 'z'}, 'O': {'b', 'v'},
    'S': {'w', 'd', 'q', 'v', ''}, 'C': {'d', 'q', ''}, 'D': {'d', 'q', ''},
    'P': {'q', 'd', ''}, 'Q': {'q', 'd', ''}, 'N': {'q', ''},
    'V': VEC_TYPES, 'W': VEC_TYPES, 'U': VEC_TYPES, 'H': VEC_TYPES, 'L': VEC_TYPES,
    'KG': {'b', 'w', 'd', 'q', ''}, 'KE': {'b', 'w', 'd', 'q', ''},
    'KR': {'b', 'w', 'd', 'q', ''}, 'KH': {'b', 'w', 'd', 'q', ''},
    'TG': {''}, 'TE': {''}, 'TH': {''}, 'BG': {'', 'dq', 'q'}, 'BE': {'', 'dq', 'q'},
    'X': GPR_TYPES, 'Y': GPR_TYPES, 'Ar': {'G', 'AX'},
}

ATTRS = ['lock', 'rep', 'repcc', 'hle', 'bnd', 'notrack', 'd64', 'f64', 'norex2', 'nd', 'nf',
         'zu', 'scc', 'cpl0', 'k', 'z', 'k1', 'b2', 'b4', 'b8', 'bw', 'er', 'sae', 'vsib',
         'jmpabs', 'push2pop2', 'evexpfx', 'apxvex', 'sibmem', 'vexpfx', 'n1', 'n2', 'n4', 'n8']
VALUE_ATTRS = {'exit'}
EXITS = ['none', 'cpuid', 'rdmsr', 'wrmsr', 'wrmsrns', 'rdmsr_imm', 'wrmsrns_imm', 'xsetbv',
         'hlt', 'invd', 'wbinvd', 'io', 'vmcall', 'vmx', 'svm', 'rdtsc', 'rdtscp', 'rdpmc',
         'invlpg', 'mov_cr', 'mov_dr', 'pause', 'mwait', 'monitor', 'xsaves', 'xrstors',
         'rdrand', 'rdseed', 'invpcid', 'invept', 'invvpid', 'getsec', 'encls', 'enclv',
         'rdpid', 'tpause', 'umwait', 'loadiwkey', 'pconfig', 'ldtr_tr', 'gdtr_idtr',
         'wbnoinvd', 'rsm', 'int', 'iret', 'sysenter', 'vmfunc', 'enqcmd', 'senduipi',
         'seamcall', 'tdcall', 'rdpru', 'mcommit', 'invlpgb', 'tlbsync', 'skinit', 'stgi',
         'clgi', 'invlpga', 'vmrun', 'vmload', 'vmsave', 'vmmcall', 'task_switch', 'triple',
         'xrstor', 'xsave', 'user_msr', 'msrlist', 'lkgs', 'erets']
FLAGS = 'oszapcdi'
CCS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']

ENCS = {'leg': 0, 'vex': 1, 'evex': 2, 'xop': 3}
MAPS = {
    'leg': {'0': 0, '0f': 1, '0f38': 2, '0f3a': 3, '0f0f': 15},
    'vex': {'1': 1, '2': 2, '3': 3, '5': 5, '6': 6, '7': 7},
    'evex': {'1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7},
    'xop': {'8': 8, '9': 9, 'a': 10},
}
PP = {'np': 0, '66': 1, 'f3': 2, 'f2': 3}

# Selector bits (must match src/decoder/decode.c).
SEL = {
    'pp': (0, 2), 'mod3': (2, 1), 'reg': (3, 3), 'rm': (6, 3), 'w': (9, 1), 'l': (10, 2),
    'b': (12, 1), 'nd': (13, 1), 'nf': (14, 1), 'osz': (15, 2), 'a32': (17, 1),
    'rex2': (18, 1),
}

# Index spaces: legacy maps 0-3, VEX maps 0-7, EVEX maps 0-7, XOP maps 8-10.
def space_index(enc, mapno):
    if enc == 'leg':
        return 23 if mapno == 15 else mapno  # 15: 3DNow! 0F 0F, indexed by the suffix byte
    if enc == 'vex':
        return 4 + mapno
    if enc == 'evex':
        return 12 + mapno
    return 20 + (mapno - 8)
NSPACES = 24


class TableError(Exception):
    pass


class Row:
    __slots__ = ('file', 'line', 'enc', 'map', 'pp', 'op', 'modrm', 'cond', 'operands',
                 'att', 'intel', 'handler', 'attrs', 'exit', 'flags', 'cpuid', 'cc', 'mask',
                 'value', 'ops', 'text', 'apx_layout', 'modrm_kind', 'pp_token')


def _sel(mask, value, field, v):
    pos, width = SEL[field]
    m = ((1 << width) - 1) << pos
    if mask & m and (value & m) != ((v << pos) & m):
        raise TableError('conflicting constraints on %s' % field)
    return mask | m, (value & ~m) | ((v << pos) & m)


def parse_operand(tok):
    hidden = tok.startswith('!')
    if hidden:
        tok = tok[1:]
    if tok in FIXED:
        return (hidden, 'FIXED', tok)
    for m in sorted(METHODS, key=len, reverse=True):
        if m == 'FIXED':
            continue
        if tok.startswith(m):
            t = tok[len(m):]
            if t not in TYPES:
                continue
            allowed = METHOD_TYPES.get(m)
            if allowed is not None and t not in allowed:
                raise TableError('operand %r: type %r not valid for method %s' % (tok, t, m))
            return (hidden, m, t)
    raise TableError('unknown operand %r' % tok)


def parse_row(path, lineno, text):
    cols = text.split()
    if len(cols) != 12:
        raise TableError('%d columns, expected 12' % len(cols))
    enc, mp, pp, op, modrm, cond, operands, mnem, handler, attrs, flags, cpuid = cols
    if enc not in ENCS:
        raise TableError('unknown enc %r' % enc)
    if mp not in MAPS[enc]:
        raise TableError('map %r not valid for %s' % (mp, enc))
    mapno = MAPS[enc][mp]
    rows = []
    m = re.fullmatch(r'([0-9a-f]{2})(\+r|\+cc)?', op)
    if not m:
        raise TableError('bad opcode %r' % op)
    base = int(m.group(1), 16)
    exp = m.group(2)
    if exp == '+r':
        if base & 7:
            raise TableError('+r opcode must have bits 2:0 clear')
        variants = [(base + i, None) for i in range(8)]
    elif exp == '+cc':
        if base & 15:
            raise TableError('+cc opcode must have bits 3:0 clear')
        variants = [(base + i, i) for i in range(16)]
    else:
        variants = [(base, None)]
    if '{cc}' in mnem and exp != '+cc':
        raise TableError('{cc} in a mnemonic needs a +cc opcode')

    # pp
    if pp != '-' and pp not in PP:
        raise TableError('bad pp %r' % pp)
    if enc in ('vex', 'xop') and pp == '-':
        raise TableError('%s rows need an explicit pp' % enc)
    if enc == 'evex' and pp == '-' and mapno != 4:
        raise TableError('evex rows outside map 4 need an explicit pp')

    mask = value = 0
    if pp != '-':
        mask, value = _sel(mask, value, 'pp', PP[pp])

    # ModRM
    modrm_kind = 'none'
    if modrm == '-':
        pass
    else:
        mm = re.fullmatch(r'/(r|[0-7])(\.m|\.r)?', modrm)
        me = re.fullmatch(r'=([0-9a-f]{2})', modrm)
        if mm:
            modrm_kind = 'modrm'
            if mm.group(1) != 'r':
                mask, value = _sel(mask, value, 'reg', int(mm.group(1)))
            if mm.group(2) == '.m':
                mask, value = _sel(mask, value, 'mod3', 0)
            elif mm.group(2) == '.r':
                mask, value = _sel(mask, value, 'mod3', 1)
        elif me:
            modrm_kind = 'modrm'
            b = int(me.group(1), 16)
            if b < 0xc0:
                raise TableError('=XX ModRM must be a register form (>= c0)')
            mask, value = _sel(mask, value, 'mod3', 1)
            mask, value = _sel(mask, value, 'reg', (b >> 3) & 7)
            mask, value = _sel(mask, value, 'rm', b & 7)
        else:
            raise TableError('bad modrm %r' % modrm)

    # attributes
    attr_set = set()
    exit_name = 'none'
    if attrs != '-':
        for a in attrs.split(','):
            if '=' in a:
                k, v = a.split('=', 1)
                if k != 'exit':
                    raise TableError('unknown attribute %r' % a)
                if v not in EXITS:
                    raise TableError('unknown exit %r (add it to EXITS in tools/isagen.py)' % v)
                exit_name = v
            elif a in ATTRS:
                if a in attr_set:
                    raise TableError('duplicate attribute %r' % a)
                attr_set.add(a)
            else:
                raise TableError('unknown attribute %r' % a)
    if enc == 'leg' and attr_set & {'k', 'z', 'k1', 'b2', 'b4', 'b8', 'bw', 'er', 'sae'}:
        raise TableError('EVEX attributes on a legacy row')

    # operands
    ops = []
    if operands != '-':
        for t in operands.split(','):
            ops.append(parse_operand(t))
    if len(ops) > 5:
        raise TableError('more than 5 operands')
    imms = [o for o in ops if o[1] == 'I']
    if len(imms) > 2:
        raise TableError('more than 2 immediates')
    needs_modrm = any(o[1] in ('E', 'G', 'M', 'R', 'S', 'C', 'D', 'P', 'Q', 'N', 'V', 'W',
                               'U', 'KG', 'KE', 'KR', 'TG', 'TE', 'BG', 'BE', 'STi')
                      or (o[1] == 'FIXED' and o[2] == 'STi') or (o[1] == 'Ar' and o[2] == 'G')
                      for o in ops)
    if needs_modrm and modrm_kind == 'none':
        raise TableError('operands use ModRM but the modrm column is -')
    if any(o[1] == 'Z' for o in ops) and exp != '+r':
        raise TableError('method Z needs a +r opcode')
    if enc == 'leg' and any(o[1] in ('H', 'B', 'KH', 'TH', 'L') for o in ops):
        raise TableError('vvvv/is4 operand on a legacy row')
    has_mem = any(o[1] in ('E', 'M', 'Q', 'W', 'KE', 'BE') for o in ops)
    if modrm.endswith('.r') and any(o[1] == 'M' for o in ops):
        raise TableError('M operand on a register-only row')

    # cond
    if cond != '-':
        for c in cond.split('.'):
            if c in ('w0', 'w1'):
                mask, value = _sel(mask, value, 'w', int(c[1]))
            elif c in ('l0', 'l1', 'l2'):
                if enc == 'leg':
                    raise TableError('L constraint on a legacy row')
                mask, value = _sel(mask, value, 'l', int(c[1]))
            elif c == 'lig':
                pass
            elif c in ('o16', 'o32', 'o64'):
                mask, value = _sel(mask, value, 'osz', {'o16': 0, 'o32': 1, 'o64': 2}[c])
            elif c == 'a32':
                mask, value = _sel(mask, value, 'a32', 1)
            elif c == 'rex2':
                if enc != 'leg':
                    raise TableError('rex2 constraint on a non-legacy row')
                mask, value = _sel(mask, value, 'rex2', 1)
            elif c in ('nd0', 'nd1', 'nf0', 'nf1'):
                if enc != 'evex':
                    raise TableError('%s on a non-EVEX row' % c)
                mask, value = _sel(mask, value, c[:2], int(c[2]))
            elif c in ('b0', 'b1'):
                if enc != 'evex':
                    raise TableError('%s on a non-EVEX row' % c)
                mask, value = _sel(mask, value, 'b', int(c[1]))
            else:
                raise TableError('unknown cond %r' % c)
    if 'lig' in cond.split('.') and any(c in cond.split('.') for c in ('l0', 'l1', 'l2')):
        raise TableError('lig with an L constraint')

    # APX payload layout for EVEX rows: maps 4 and 7, and rows without vector operands
    apx_layout = enc == 'evex' and (
        mapno in (4, 7) or 'apxvex' in attr_set or not any(o[1] in VEC_METHODS for o in ops))
    if apx_layout:
        bits = SEL['nd'][0], SEL['nf'][0]
        if 'scc' in attr_set:
            mask, value = _sel(mask, value, 'nd', 0)
        else:
            if not (mask >> bits[0]) & 1 and not attr_set & {'nd', 'zu', 'push2pop2'}:
                mask, value = _sel(mask, value, 'nd', 0)
            if not (mask >> bits[1]) & 1 and 'nf' not in attr_set:
                mask, value = _sel(mask, value, 'nf', 0)
    if 'scc' in attr_set and not apx_layout:
        raise TableError('scc outside the APX EVEX layout')

    # mnemonic
    if '|' in mnem:
        att, intel = mnem.split('|', 1)
    else:
        att, intel = mnem, None
    for part in (att, intel or ''):
        for ph in re.findall(r'\{([^}]*)\}', part):
            if ph not in ('s', 'cc', 'scc', 'dfv'):
                raise TableError('unknown placeholder {%s}' % ph)
    if not re.fullmatch(r'[a-z0-9_{}.]+', att) or (intel is not None and
                                                  not re.fullmatch(r'[a-z0-9_{}.]+', intel)):
        raise TableError('bad mnemonic %r' % mnem)
    if intel is None:
        intel = att.replace('{s}', '')
    if handler != '-' and not re.fullmatch(r'[a-z0-9_]+', handler):
        raise TableError('bad handler %r' % handler)

    fl = flags.split(';')
    if len(fl) != 3 or any(f != '-' and (not f or any(ch not in FLAGS for ch in f)) for f in fl):
        raise TableError('bad flags %r (TESTED;WRITTEN;UNDEFINED over %s)' % (flags, FLAGS))
    fbits = []
    for f in fl:
        v = 0
        if f != '-':
            for ch in f:
                v |= 1 << FLAGS.index(ch)
        fbits.append(v)
    if cpuid not in FEATURES:
        raise TableError('unknown cpuid feature %r (see include/apxemu/features.def)' % cpuid)

    for opc, cc in variants:
        r = Row()
        r.file, r.line, r.text = path, lineno, text
        r.enc, r.map, r.pp, r.op, r.modrm = enc, mapno, pp, opc, modrm
        r.pp_token = pp
        r.cond, r.operands = cond, operands
        r.att = att.replace('{cc}', CCS[cc]) if cc is not None else att
        r.intel = intel.replace('{cc}', CCS[cc]) if cc is not None else intel
        r.handler, r.attrs, r.exit = handler, attr_set, exit_name
        r.flags, r.cpuid, r.cc = fbits, cpuid, cc
        r.mask, r.value, r.ops = mask, value, ops
        r.apx_layout, r.modrm_kind = apx_layout, modrm_kind
        rows.append(r)
    return rows


FEATURES = []


def load_features(root):
    path = os.path.join(root, 'include', 'apxemu', 'features.def')
    out = []
    with open(path) as f:
        for line in f:
            m = re.match(r'\s*AE_FEATURE\((\w+),\s*"([^"]+)"\)', line)
            if m:
                out.append((m.group(1), m.group(2)))
    return out


def load_table(isadir):
    """Returns the expanded rows of every isa/*.tbl file; raises TableError listing errors."""
    global FEATURES
    root = os.path.dirname(os.path.abspath(isadir.rstrip('/')))
    feats = load_features(root)
    FEATURES = [s for _, s in feats]
    rows, errors = [], []
    for name in sorted(os.listdir(isadir)):
        if not name.endswith('.tbl'):
            continue
        path = os.path.join(isadir, name)
        with open(path) as f:
            for lineno, line in enumerate(f, 1):
                text = line.split('#', 1)[0].strip()
                if not text:
                    continue
                try:
                    rows.extend(parse_row(name, lineno, text))
                except TableError as e:
                    errors.append('%s:%d: %s' % (path, lineno, e))
    errors.extend(check_table(rows))
    if errors:
        raise TableError('\n'.join(errors))
    return rows, feats


def check_table(rows):
    errors = []
    by_key = {}
    for r in rows:
        by_key.setdefault((r.enc, r.map, r.op), []).append(r)
    for key, rs in by_key.items():
        kinds = {r.modrm_kind for r in rs}
        if len(kinds) > 1:
            errors.append('%s:%d: opcode %s map %s %02x: rows disagree on having a ModRM byte'
                          % (rs[0].file, rs[0].line, key[0], key[1], key[2]))
        seen = {}
        for r in rs:
            k = (r.mask, r.value)
            if k in seen:
                o = seen[k]
                errors.append('%s:%d: same constraints as %s:%d (%s / %s)' %
                              (r.file, r.line, o.file, o.line, r.att, o.att))
            else:
                seen[k] = r
    return errors


def popcount(x):
    return bin(x).count('1')


def c_str(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


# Operand methods and attributes of the legacy forms that the decoder's short path
# (fast_legacy() in src/decoder/decode.c) resolves; every other form takes the full path.
FAST_METHODS = {'E', 'M', 'R', 'G', 'Z', 'I', 'J', 'V', 'W', 'U', 'FIXED'}
FAST_EXCLUDED_ATTRS = {'sibmem', 'vsib', 'jmpabs', 'push2pop2'}


def fast_form(r):
    return (r.enc == 'leg' and not (r.attrs & FAST_EXCLUDED_ATTRS) and
            all(o[1] in FAST_METHODS for o in r.ops))


def emit(rows, feats, outdir):
    os.makedirs(outdir, exist_ok=True)
    # Forms in table order; candidates ordered by specificity within each opcode.
    forms = rows
    idx = {}
    for i, r in enumerate(forms):
        idx.setdefault((space_index(r.enc, r.map), r.op), []).append(i)
    strings = {}
    pool = []

    def s_off(s):
        if s not in strings:
            strings[s] = sum(len(x) + 1 for x in pool)
            pool.append(s)
        return strings[s]

    handlers = sorted({r.handler for r in forms if r.handler != '-'})
    handler_id = {h: i + 1 for i, h in enumerate(handlers)}
    feat_id = {s: i for i, (_, s) in enumerate(feats)}

    h = []
    h.append('/* Generated by tools/isagen.py from the isa/ tables. Do not edit. */')
    h.append('#ifndef AE_GEN_H\n#define AE_GEN_H\n#include <stdint.h>\n')
    h.append('enum dec_method {')
    for m in METHODS:
        h.append('\tOM_%s,' % m)
    h.append('};\nenum dec_type {')
    for t in TYPES:
        h.append('\tOT_%s,' % (t if t else 'none').replace('64b', 'm64b'))
    h.append('};\nenum dec_fixed {')
    for i, fx in enumerate(FIXED):
        name = {'1': 'ONE'}.get(fx, fx.upper() if fx not in ('rAX', 'eAX', 'STi', 'rDX', 'rCX', 'rBX') else fx)
        h.append('\tOF_%s = %d,' % (name, i))
    h.append('};')
    for i, a in enumerate(ATTRS):
        h.append('#define DA_%s (1ull << %d)' % (a.upper(), i))
    h.append('enum dec_exit {')
    for i, e in enumerate(EXITS):
        h.append('\tDX_%s = %d,' % (e.upper(), i))
    h.append('\tDX__COUNT\n};')
    h.append('enum { DEC_NHANDLERS = %d };' % (len(handlers) + 1))
    h.append('enum { DEC_NFORMS = %d };' % len(forms))
    h.append('enum { DEC_NSPACES = %d };' % NSPACES)
    for k, (pos, width) in SEL.items():
        h.append('#define SEL_%s_SHIFT %d' % (k.upper(), pos))
    h.append('''
/* One operand of a form: method, type, hidden flag. */
typedef struct dec_opspec { uint8_t method, type, hidden; } dec_opspec;

typedef struct dec_form {
	uint64_t attrs;
	uint32_t mnem_att;   /* offset into dec_strings */
	uint32_t mnem_intel;
	uint16_t handler;
	uint8_t feature;
	uint8_t exit;
	uint8_t enc, map, opc, pp; /* pp: 0-3, or 4 for '-' */
	uint8_t nops, cc, apx, vvvv; /* vvvv: the form has a vvvv operand (H, B, KH, TH) */
	uint8_t flags_t, flags_w, flags_u;
	uint8_t fast; /* a legacy form the decoder's short path may resolve (see fast_form()) */
	dec_opspec ops[5];
} dec_form;

typedef struct dec_cand { uint32_t mask, value; uint16_t form; } dec_cand;
typedef struct dec_index { uint16_t start; uint8_t count; uint8_t flags; } dec_index;
/* DI_BYREG: start indexes dec_regsplit, 8 (start, count) lists chosen by ModRM.reg. */
enum { DI_MODRM = 1, DI_FORCE_MOD3 = 2, DI_BYREG = 4 };
typedef struct dec_sub { uint16_t start; uint8_t count; } dec_sub;
extern const dec_sub dec_regsplit[];

extern const dec_form dec_forms[DEC_NFORMS];
extern const dec_cand dec_cands[];
extern const dec_index dec_index_tab[DEC_NSPACES][256];
extern const char dec_strings[];
extern const char *const dec_handler_names[DEC_NHANDLERS];
extern const char *const dec_exit_names[DX__COUNT];
#endif''')
    with open(os.path.join(outdir, 'ae_gen.h'), 'w') as f:
        f.write('\n'.join(h) + '\n')

    c = ['/* Generated by tools/isagen.py from the isa/ tables. Do not edit. */',
         '#include "ae_gen.h"', '']
    c.append('const dec_form dec_forms[DEC_NFORMS] = {')
    for r in forms:
        ops = []
        for hidden, m, t in r.ops:
            if m == 'FIXED':
                ops.append('{OM_FIXED, %d, %d}' % (FIXED.index(t), int(hidden)))
            else:
                ops.append('{OM_%s, OT_%s, %d}' % (m, (t if t else 'none').replace('64b', 'm64b'),
                                                   int(hidden)))
        attrs = ' | '.join('DA_%s' % a.upper() for a in sorted(r.attrs)) or '0'
        if len(ATTRS) > 64:
            raise TableError('more than 64 attributes')
        pp = PP[r.pp] if r.pp in PP else 4
        c.append('\t{%s, %d, %d, %d, %d, DX_%s, %d, %d, 0x%02x, %d, %d, %d, %d, %d, %d, %d, %d, %d, {%s}},'
                 ' /* %s:%d */' % (
                     attrs, s_off(r.att), s_off(r.intel), handler_id.get(r.handler, 0),
                     feat_id[r.cpuid], r.exit.upper(), ENCS[r.enc], r.map, r.op, pp,
                     len(r.ops), r.cc if r.cc is not None else 255, int(r.apx_layout),
                     int(any(o[1] in ('H', 'B', 'KH', 'TH') for o in r.ops)),
                     r.flags[0], r.flags[1], r.flags[2], int(fast_form(r)),
                     ', '.join(ops) or '{0, 0, 0}',
                     r.file, r.line))
    c.append('};\n')
    cands = []
    index = {}
    regsplit = []
    byreg = set()
    regmask = ((1 << SEL['reg'][1]) - 1) << SEL['reg'][0]
    for key in sorted(idx):
        lst = sorted(idx[key], key=lambda i: -popcount(forms[i].mask))
        if len(lst) > 3 and forms[lst[0]].modrm_kind != 'none':
            # Long lists of a ModRM opcode are split by ModRM.reg, so that a group opcode
            # (80, F7, FF, 0F 01, …) costs one short scan.
            index[key] = (len(regsplit), len(lst))
            byreg.add(key)
            for reg in range(8):
                sub = [i for i in lst if not (forms[i].mask & regmask) or
                       ((forms[i].value & regmask) >> SEL['reg'][0]) == reg]
                regsplit.append((len(cands), len(sub)))
                for i in sub:
                    cands.append((forms[i].mask, forms[i].value, i))
            continue
        index[key] = (len(cands), len(lst))
        for i in lst:
            cands.append((forms[i].mask, forms[i].value, i))
    c.append('const dec_cand dec_cands[] = {')
    for m, v, i in cands:
        c.append('\t{0x%x, 0x%x, %d},' % (m, v, i))
    if not cands:
        c.append('\t{0, 0, 0},')
    c.append('};\n')
    c.append('const dec_index dec_index_tab[DEC_NSPACES][256] = {')
    for sp in range(NSPACES):
        ents = []
        for op in range(256):
            if (sp, op) in index:
                st, n = index[(sp, op)]
                rs = [forms[i] for i in idx[(sp, op)]]
                fl = 0
                if rs[0].modrm_kind != 'none':
                    fl |= 1
                if any(o[1] in ('C', 'D') for r in rs for o in r.ops):
                    fl |= 2
                if (sp, op) in byreg:
                    fl |= 4
                ents.append('[%d] = {%d, %d, %d}' % (op, st, n, fl))
        c.append('\t[%d] = {%s},' % (sp, ', '.join(ents)))
    c.append('};\n')
    c.append('const dec_sub dec_regsplit[] = {%s};\n' %
             (', '.join('{%d, %d}' % x for x in regsplit) or '{0, 0}'))
    c.append('const char *const dec_handler_names[DEC_NHANDLERS] = {"-", %s};' %
             ', '.join(c_str(x) for x in handlers))
    c.append('const char *const dec_exit_names[DX__COUNT] = {%s};' %
             ', '.join(c_str(x) for x in EXITS))
    c.append('const char dec_strings[] =')
    for s in pool:
        c.append('\t%s "\\0"' % c_str(s))
    c.append('\t"";')
    with open(os.path.join(outdir, 'ae_gen.c'), 'w') as f:
        f.write('\n'.join(c) + '\n')
    if len(cands) > 65535 or any(n > 255 for _, n in list(index.values()) + regsplit):
        raise TableError('table too large for 16-bit candidate indexes')


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description='Lint the instruction table and emit C tables.')
    ap.add_argument('--lint', action='store_true', help='only check the rows')
    ap.add_argument('--list', action='store_true', help='print the expanded rows')
    ap.add_argument('--out', help='output directory for ae_gen.h and ae_gen.c')
    ap.add_argument('isadir')
    a = ap.parse_args(argv)
    try:
        rows, feats = load_table(a.isadir)
    except TableError as e:
        print(str(e), file=sys.stderr)
        return 1
    if a.list:
        for r in rows:
            print('%s\t%s\t%s\t%02x\t%s\t%s\t%s\t%s\t%s' % (
                r.enc, r.map, r.pp, r.op, r.modrm, r.cond, r.operands, r.att,
                ','.join(sorted(r.attrs)) or '-'))
    if a.out:
        try:
            emit(rows, feats, a.out)
        except TableError as e:
            print(str(e), file=sys.stderr)
            return 1
    if a.lint:
        print('%d rows (%d forms) OK' % (len({(r.file, r.line) for r in rows}), len(rows)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
