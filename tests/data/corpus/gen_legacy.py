#!/usr/bin/env python3
"""Writes legacy_gp.hex and legacy_sys.hex: the legacy general-purpose and system instructions
of 64-bit mode (isa/legacy_gp*.tbl, isa/legacy_sys.tbl), one instruction per line.

Most lines are assembled by llvm-mc-19 from AT&T text generated here, so the bytes are the
assembler's; a few encodings llvm-mc cannot produce (prefix variants, hint NOPs, forms LLVM
does not know) are written as raw bytes. Usage: gen_legacy.py [OUTDIR]
"""
import os
import re
import subprocess
import sys

MC = ['llvm-mc-19', '-triple=x86_64', '-show-encoding',
      '-mattr=+egpr,+rtm,+cmpccxadd,+raoint,+usermsr']

R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'bh', 'spl', 'bpl', 'sil', 'dil', 'r8b', 'r11b', 'r13b',
      'r15b', 'r16b', 'r21b', 'r31b']
R16 = ['ax', 'cx', 'dx', 'sp', 'bp', 'si', 'r8w', 'r12w', 'r15w', 'r16w', 'r23w', 'r31w']
R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'r8d', 'r12d', 'r13d', 'r15d',
       'r16d', 'r20d', 'r27d', 'r31d']
R64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r12', 'r13', 'r15',
       'r16', 'r17', 'r24', 'r29', 'r31']
REGS = {'b': R8, 'w': R16, 'l': R32, 'q': R64}
# Memory operands: plain, SIB, disp8/disp32, RIP-relative, absolute, rsp/rbp/r12/r13 bases,
# extended GPRs as base and index, 32-bit addressing, segment overrides.
MEMS = ['(%rax)', '(%rsp)', '(%rbp)', '0x7f(%rbx)', '-0x80(%rsp)', '0x12345678(%rcx)',
        '(%rax,%rcx,4)', '0x10(%rsi,%rdi,8)', '-4(,%rdx,2)', '0x1000', '0x40(%rip)',
        '-0x1234(%rip)', '(%r12)', '(%r13)', '0x8(%r8,%r15,1)', '(%r16)', '0x20(%r21)',
        '(%r28,%r31,4)', '-0x100(%r8,%r20,2)', '(%eax)', '0x10(%r9d,%ecx,4)', '%fs:(%rax)',
        '%gs:0x28', '%es:(%r18)', '(%rsp,%r16,8)']
SUFFIX_SIZE = {'b': 1, 'w': 2, 'l': 4, 'q': 8}
IMM = {'b': ['$0', '$0x7f', '$-1', '$0xff'], 'w': ['$1', '$0x1234', '$-2'],
       'l': ['$1', '$-128', '$0x12345678', '$-0x1000000'], 'q': ['$1', '$-1', '$0x7fffffff', '$-0x80000000']}


def pick(lst, i, n):
    """n elements of lst starting at i (cyclically): spreads registers over rows."""
    return [lst[(i + k) % len(lst)] for k in range(n)]


def gp_lines():
    out = []
    alu = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp']
    for n, op in enumerate(alu + ['test', 'mov', 'xchg']):
        for s, regs in REGS.items():
            for i, r in enumerate(regs):
                r2 = regs[(i * 5 + n + 1) % len(regs)]
                if s == 'b' and (r in ('ah', 'bh') and re.search(r'\d|pl|il', r2) or
                                 r2 in ('ah', 'bh') and re.search(r'\d|pl|il', r)):
                    continue
                out.append('%s%s %%%s, %%%s' % (op, s, r, r2))
            for i, m in enumerate(MEMS):
                r = regs[(i + n) % len(regs)]
                if s == 'b' and r in ('ah', 'bh') and re.search(r'%r(1[6-9]|2|3)', m):
                    r = 'cl'
                out.append('%s%s %%%s, %s' % (op, s, r, m))
                if op not in ('test', 'xchg'):
                    out.append('%s%s %s, %%%s' % (op, s, m, r))
            for imm in (IMM[s] if op != 'xchg' else []):
                out.append('%s%s %s, %%%s' % (op, s, imm, regs[0]))     # accumulator form
                for r in pick(regs, n + 1, 3):
                    out.append('%s%s %s, %%%s' % (op, s, imm, r))
                for m in pick(MEMS, n * 3, 3):
                    out.append('%s%s %s, %s' % (op, s, imm, m))
            if op not in ('test', 'xchg', 'mov', 'cmp'):
                for m in pick(MEMS, n, 4):
                    out.append('lock %s%s %%%s, %s' % (op, s, regs[1], m))
                    out.append('lock %s%s %s, %s' % (op, s, IMM[s][1], m))
        out.append('xacquire lock %sl %%eax, (%%rdi)' % op if op not in ('test', 'mov', 'cmp')
                   else 'nop')
    for s in 'bwlq':
        for i, op in enumerate(['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar', 'sal']):
            regs = REGS[s]
            for r in pick(regs, i, 3):
                out += ['%s%s %%%s' % (op, s, r), '%s%s $%d, %%%s' % (op, s, i + 2, r),
                        '%s%s %%cl, %%%s' % (op, s, r)]
            for m in pick(MEMS, i * 2, 3):
                out += ['%s%s %s' % (op, s, m), '%s%s $7, %s' % (op, s, m),
                        '%s%s %%cl, %s' % (op, s, m)]
        for i, op in enumerate(['not', 'neg', 'mul', 'imul', 'div', 'idiv', 'inc', 'dec']):
            for r in pick(REGS[s], i, 4):
                out.append('%s%s %%%s' % (op, s, r))
            for m in pick(MEMS, i * 3, 4):
                out.append('%s%s %s' % (op, s, m))
            if op in ('not', 'neg', 'inc', 'dec'):
                out.append('lock %s%s %s' % (op, s, MEMS[i]))
    # MOV forms: moffs, immediates, segments, movabs
    for s, acc in (('b', 'al'), ('w', 'ax'), ('l', 'eax'), ('q', 'rax')):
        out += ['movabs%s 0x1122334455667788, %%%s' % (s, acc),
                'movabs%s %%%s, 0x8877665544332211' % (s, acc),
                'movabs%s 0x10, %%%s' % (s, acc)]
    for r in R64:
        out += ['movabsq $0x123456789abcdef0, %%%s' % r, 'movq $-1, %%%s' % r]
    for r in R32:
        out.append('movl $0x89abcdef, %%%s' % r)
    for r in R16:
        out.append('movw $0x1234, %%%s' % r)
    for r in R8:
        out.append('movb $0x12, %%%s' % r)
    for seg in ('es', 'cs', 'ss', 'ds', 'fs', 'gs'):
        out += ['movw %%%s, %%ax' % seg, 'movl %%%s, %%r9d' % seg, 'movq %%%s, %%r16' % seg,
                'movw %%%s, 0x10(%%rax)' % seg, 'movw %%%s, (%%r17)' % seg]
        if seg != 'cs':
            out += ['movw %%bx, %%%s' % seg, 'movl %%eax, %%%s' % seg, 'movq %%r18, %%%s' % seg,
                    'movw (%%rax), %%%s' % seg, 'movw 8(%%r20), %%%s' % seg]
    # LEA, MOVSXD, MOVZX/MOVSX
    for s in 'wlq':
        for i, m in enumerate(MEMS):
            if m.startswith('%'):
                continue
            out.append('lea%s %s, %%%s' % (s, m, REGS[s][i % len(REGS[s])]))
    for i, r in enumerate(R64):
        out += ['movslq %%%s, %%%s' % (R32[i % len(R32)], r),
                'movslq %s, %%%s' % (MEMS[i % len(MEMS)], r)]
    for op in ('movz', 'movs'):
        for i in range(12):
            out += ['%sbw %%%s, %%%s' % (op, R8[i], R16[i]),
                    '%sbl %%%s, %%%s' % (op, R8[i + 1], R32[i]),
                    '%sbq %%%s, %%%s' % (op, R8[i + 2], R64[i]),
                    '%swl %%%s, %%%s' % (op, R16[i], R32[i + 1]),
                    '%swq %%%s, %%%s' % (op, R16[(i + 3) % 12], R64[i + 2]),
                    '%sbl %s, %%%s' % (op, MEMS[i], R32[i]),
                    '%sbw %s, %%%s' % (op, MEMS[i + 1], R16[i]),
                    '%swq %s, %%%s' % (op, MEMS[i + 2], R64[i]),
                    '%sbq %s, %%%s' % (op, MEMS[i + 3], R64[i + 1]),
                    '%swl %s, %%%s' % (op, MEMS[i + 4], R32[i + 2])]
    # PUSH/POP, PUSHF/POPF, IMUL, ENTER/LEAVE, misc one-byte
    for r in R64:
        out += ['pushq %%%s' % r, 'popq %%%s' % r]
    for r in R16[:8]:
        out += ['pushw %%%s' % r, 'popw %%%s' % r]
    for m in MEMS[:16]:
        out += ['pushq %s' % m, 'popq %s' % m, 'pushw %s' % m, 'popw %s' % m]
    out += ['pushq $1', 'pushq $-128', 'pushq $0x12345678', 'pushw $1', 'pushw $0x1234',
            'pushq %fs', 'popq %fs', 'pushq %gs', 'popq %gs', 'pushw %fs', 'popw %gs',
            'pushfq', 'popfq', 'pushfw', 'popfw', 'sahf', 'lahf', 'cbtw', 'cwtl', 'cltq',
            'cwtd', 'cltd', 'cqto', 'wait', 'nop', 'pause', 'xlatb', 'int3', 'int $0x80',
            'int $3', 'hlt', 'cmc', 'clc', 'stc', 'cli', 'sti', 'cld', 'std', 'leave',
            'enter $0x10, $0', 'enter $0xffff, $31', 'retq', 'retq $8', 'lretl',
            'lretq', 'lretw', 'lretl $0x10', 'lretq $4', 'iretl', 'iretq', 'iretw',
            'xabort $1', 'ud2', 'ud1l %eax, %ecx', 'ud1q (%rax), %r9', 'ud1w %ax, %r16w',
            'syscall', 'cpuid', 'rdtsc', 'rdpmc']
    for s in 'wlq':
        regs = REGS[s]
        for i in range(10):
            r, r2 = regs[i % len(regs)], regs[(i + 3) % len(regs)]
            m = MEMS[i]
            out += ['imul%s %%%s, %%%s' % (s, r, r2), 'imul%s %s, %%%s' % (s, m, r2),
                    'imul%s $%d, %%%s, %%%s' % (s, i - 5, r, r2),
                    'imul%s $0x1234, %s, %%%s' % (s, m, r2)]
        for i, r in enumerate(regs):
            out += ['xchg%s %%%s, %%%s' % (s, regs[0], r)]
    # string instructions
    for op in ('movs', 'cmps', 'stos', 'lods', 'scas', 'ins', 'outs'):
        for s in 'bwlq':
            if op in ('ins', 'outs') and s == 'q':
                continue
            out.append('%s%s' % (op, s))
            out.append('rep %s%s' % (op, s))
            if op in ('cmps', 'scas'):
                out.append('repne %s%s' % (op, s))
    out += ['movsb %fs:(%rsi), %es:(%rdi)', 'movsl (%esi), %es:(%edi)', 'lodsq %gs:(%rsi), %rax',
            'cmpsb %es:(%rdi), %ss:(%rsi)', 'stosq %rax, %es:(%edi)', 'scasw %es:(%edi), %ax',
            'outsb %cs:(%rsi), %dx', 'addr32 rep movsb']
    # IN/OUT
    out += ['inb $0x60, %al', 'inw $1, %ax', 'inl $0xff, %eax', 'outb %al, $0x80',
            'outw %ax, $2', 'outl %eax, $3', 'inb %dx, %al', 'inw %dx, %ax', 'inl %dx, %eax',
            'outb %al, %dx', 'outw %ax, %dx', 'outl %eax, %dx']
    # 0F map general purpose
    ccs = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']
    for i, cc in enumerate(ccs):
        for s in 'wlq':
            regs = REGS[s]
            out += ['cmov%s%s %%%s, %%%s' % (cc, s, regs[i % len(regs)], regs[(i + 5) % len(regs)]),
                    'cmov%s%s %s, %%%s' % (cc, s, MEMS[i], regs[(i + 2) % len(regs)])]
        out += ['set%s %%%s' % (cc, R8[i]), 'set%s %s' % (cc, MEMS[i])]
    for i, op in enumerate(['bt', 'bts', 'btr', 'btc']):
        for s in 'wlq':
            regs = REGS[s]
            for k in range(4):
                out += ['%s%s %%%s, %%%s' % (op, s, regs[(i + k) % len(regs)], regs[(i + 2 * k + 3) % len(regs)]),
                        '%s%s %%%s, %s' % (op, s, regs[k], MEMS[i * 4 + k]),
                        '%s%s $%d, %%%s' % (op, s, k * 9, regs[(k + 7) % len(regs)]),
                        '%s%s $%d, %s' % (op, s, k * 9 + 1, MEMS[i * 4 + k + 1])]
            if op != 'bt':
                out += ['lock %s%s %%%s, (%%rax)' % (op, s, regs[2]), 'lock %s%s $3, 8(%%r16)' % (op, s)]
    for op in ('shld', 'shrd'):
        for s in 'wlq':
            regs = REGS[s]
            for k in range(4):
                out += ['%s%s $%d, %%%s, %%%s' % (op, s, k + 1, regs[k], regs[k + 5]),
                        '%s%s %%cl, %%%s, %%%s' % (op, s, regs[k + 2], regs[k + 7]),
                        '%s%s $%d, %%%s, %s' % (op, s, k * 8, regs[k + 4], MEMS[k * 3]),
                        '%s%s %%cl, %%%s, %s' % (op, s, regs[k + 1], MEMS[k * 3 + 1])]
    for op in ('bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt'):
        for s in 'wlq':
            regs = REGS[s]
            for k in range(4):
                out += ['%s%s %%%s, %%%s' % (op, s, regs[k * 2], regs[k * 3 + 1]),
                        '%s%s %s, %%%s' % (op, s, MEMS[k * 5], regs[k + 4])]
    for s in 'bwlq':
        regs = REGS[s]
        for k in range(4):
            out += ['cmpxchg%s %%%s, %%%s' % (s, regs[k], regs[k + 4]),
                    'cmpxchg%s %%%s, %s' % (s, regs[k + 1], MEMS[k * 4]),
                    'lock cmpxchg%s %%%s, %s' % (s, regs[k + 2], MEMS[k * 4 + 1]),
                    'xadd%s %%%s, %%%s' % (s, regs[k + 3], regs[k + 6]),
                    'lock xadd%s %%%s, %s' % (s, regs[k], MEMS[k * 4 + 2])]
    for m in MEMS[:12]:
        out += ['cmpxchg8b %s' % m, 'cmpxchg16b %s' % m, 'lock cmpxchg8b %s' % m,
                'lock cmpxchg16b %s' % m]
    for r in R32 + R64:
        out.append('bswap %%%s' % r)
    for s in 'wlq':
        for k in range(6):
            out += ['lss%s %s, %%%s' % (s, MEMS[k], REGS[s][k]),
                    'lfs%s %s, %%%s' % (s, MEMS[k + 6], REGS[s][k + 1]),
                    'lgs%s %s, %%%s' % (s, MEMS[k + 12], REGS[s][k + 2])]
    for k in range(6):
        for s in 'wlq':
            # MOVBE with an extended GPR is the EVEX map-4 form (APX tables)
            out += ['movbe%s %s, %%%s' % (s, MEMS[k * 2], REGS[s][k]),
                    'movbe%s %%%s, %s' % (s, REGS[s][k + 1], MEMS[k * 2 + 1]),
                    'crc32%s %%%s, %%%s' % (s, REGS[s][k], 'r%dd' % (8 + k) if s != 'q' else 'r9'),
                    'crc32%s %s, %%%s' % (s, MEMS[k + 3], 'eax' if s != 'q' else 'r12'),
                    'adcx%s %%%s, %%%s' % ('l' if s == 'w' else s, REGS['l' if s == 'w' else s][k], REGS['l' if s == 'w' else s][k + 3]),
                    'adox%s %s, %%%s' % ('l' if s == 'w' else s, MEMS[k + 6], REGS['l' if s == 'w' else s][k + 4]),
                    'aadd%s %%%s, %s' % ('l' if s == 'w' else s, REGS['l' if s == 'w' else s][k], MEMS[k]),
                    'aand%s %%%s, %s' % ('l' if s == 'w' else s, REGS['l' if s == 'w' else s][k + 1], MEMS[k + 1]),
                    'aor%s %%%s, %s' % ('l' if s == 'w' else s, REGS['l' if s == 'w' else s][k + 2], MEMS[k + 2]),
                    'axor%s %%%s, %s' % ('l' if s == 'w' else s, REGS['l' if s == 'w' else s][k + 3], MEMS[k + 3])]
        out += ['crc32b %%%s, %%%s' % (R8[k], R32[k]), 'crc32b %%%s, %%%s' % (R8[k + 3], R64[k]),
                'crc32b %s, %%%s' % (MEMS[k], R64[k + 2]),
                'movdiri %%%s, %s' % (R32[k], MEMS[k]), 'movdiri %%%s, %s' % (R64[k + 2], MEMS[k + 5]),
                'movdir64b %s, %%%s' % (MEMS[k], R64[k + 1]), 'enqcmd %s, %%%s' % (MEMS[k + 2], R64[k]),
                'enqcmds %s, %%%s' % (MEMS[k + 3], R64[k + 5]), 'movdir64b (%eax), %ecx',
                'enqcmd 0x10(%r8d), %r9d']
    for k in range(8):
        out += ['nopw %s' % MEMS[k], 'nopl %s' % MEMS[k + 8], 'nopq %%%s' % R64[k],
                'nopl %%%s' % R32[k], 'nopw %%%s' % R16[k]]
    for p in ('prefetchnta', 'prefetcht0', 'prefetcht1', 'prefetcht2', 'prefetchw',
              'prefetchwt1', 'prefetch', 'cldemote', 'prefetchit0', 'prefetchit1'):
        for m in MEMS[:8] + ['0x10(%rip)']:
            out.append('%s %s' % (p, m))
    return out


def sys_lines():
    out = []
    regs16 = ['ax', 'cx', 'r9w', 'r16w', 'r31w']
    for op in ('sldt', 'str'):
        out += ['%sw %%ax' % op, '%sl %%ecx' % op, '%sq %%r9' % op, '%sq %%r17' % op]
        out += ['%sw %s' % (op, m) for m in MEMS[:10]]
    for op in ('lldt', 'ltr', 'verr', 'verw', 'lmsw', 'lkgs'):
        out += ['%s %%%s' % (op, r) for r in regs16] + ['%s %s' % (op, m) for m in MEMS[:8]]
    for op in ('sgdt', 'sidt', 'lgdt', 'lidt', 'invlpg', 'rstorssp', 'clrssbsy'):
        out += ['%s %s' % (op, m) for m in MEMS[:10]]
    out += ['smsww %ax', 'smswl %eax', 'smswq %r16', 'smsww (%rax)', 'smsw 8(%r9)']
    out += ['lar%s %%%s, %%%s' % (s, r, REGS[s][i + 2]) for s in 'wlq' for i, r in enumerate(regs16)]
    out += ['lsl%s %s, %%%s' % (s, m, REGS[s][i]) for s in 'wlq' for i, m in enumerate(MEMS[:6])]
    out += ['enclv', 'vmcall', 'vmlaunch', 'vmresume', 'vmxoff', 'pconfig', 'wrmsrns',
            'wrmsrlist', 'rdmsrlist', 'monitor', 'mwait', 'clac', 'stac', 'eretu', 'erets', 'encls', 'enclu', 'xgetbv',
            'xsetbv', 'vmfunc', 'xend', 'xtest', 'vmrun', 'vmmcall', 'vmload', 'vmsave',
            'stgi', 'clgi', 'skinit', 'invlpga', 'vmrun %rax', 'invlpga %rax, %ecx',
            'serialize', 'setssbsy', 'xsusldtrk', 'xresldtrk', 'saveprevssp', 'uiret',
            'testui', 'clui', 'stui', 'rdpkru', 'wrpkru', 'swapgs', 'rdtscp', 'monitorx',
            'mwaitx', 'clzero', 'rdpru', 'rmpquery', 'invlpgb', 'rmpadjust', 'rmpupdate',
            'tlbsync', 'psmash', 'pvalidate', 'syscall', 'clts', 'sysretl', 'sysretq',
            'invd', 'wbinvd', 'wbnoinvd', 'endbr64', 'endbr32', 'wrmsr', 'rdtsc', 'rdmsr',
            'rdpmc', 'sysenter', 'sysexitl', 'sysexitq', 'getsec', 'rsm', 'lfence', 'mfence',
            'sfence', 'ud2']
    for r in R32[:8] + ['r16d', 'r31d']:
        out += ['rdsspd %%%s' % r, 'incsspd %%%s' % r, 'tpause %%%s' % r, 'umwait %%%s' % r,
                'rdfsbasel %%%s' % r, 'rdgsbasel %%%s' % r, 'wrfsbasel %%%s' % r,
                'wrgsbasel %%%s' % r, 'ptwritel %%%s' % r, 'rdrandl %%%s' % r,
                'rdseedl %%%s' % r, 'umonitor %%%s' % r]
    for r in R64:
        out += ['rdsspq %%%s' % r, 'incsspq %%%s' % r, 'rdfsbaseq %%%s' % r,
                'rdgsbaseq %%%s' % r, 'wrfsbaseq %%%s' % r, 'wrgsbaseq %%%s' % r,
                'ptwriteq %%%s' % r, 'rdrandq %%%s' % r, 'rdseedq %%%s' % r, 'rdpid %%%s' % r,
                'senduipi %%%s' % r, 'umonitor %%%s' % r]
    for r in R16[:6]:
        out += ['rdrandw %%%s' % r, 'rdseedw %%%s' % r]
    for i in range(16):
        cr = 'cr%d' % i if i in (0, 2, 3, 4, 8) else None
        r = R64[i % len(R64)]
        if cr:
            out += ['movq %%%s, %%%s' % (cr, r), 'movq %%%s, %%%s' % (r, cr)]
        if i < 8:
            out += ['movq %%db%d, %%%s' % (i, r), 'movq %%%s, %%db%d' % (r, i)]
    out += ['movq %cr0, %r16', 'movq %r31, %cr4', 'movq %dr7, %r20']
    for i, m in enumerate(MEMS[:14]):
        r = R64[i % 13]  # an extended GPR would select the EVEX map-4 forms (APX tables)
        out += ['vmreadq %%%s, %s' % (r, m), 'vmwriteq %s, %%%s' % (m, r),
                'vmreadq %%%s, %%%s' % (r, R64[i + 1]), 'vmwriteq %%%s, %%%s' % (r, R64[i + 2]),
                'invept %s, %%%s' % (m, r), 'invvpid %s, %%%s' % (m, r),
                'invpcid %s, %%%s' % (m, r)]
    for op in ('fxsave', 'fxsave64', 'fxrstor', 'fxrstor64', 'ldmxcsr', 'stmxcsr', 'xsave',
               'xsave64', 'xrstor', 'xrstor64', 'xsaveopt', 'xsaveopt64', 'clflush', 'clwb',
               'clflushopt', 'xrstors', 'xrstors64', 'xsavec', 'xsavec64', 'xsaves', 'xsaves64',
               'vmptrld', 'vmclear', 'vmxon', 'vmptrst'):
        out += ['%s %s' % (op, m) for m in MEMS[:12]]
    for i, m in enumerate(MEMS[:15]):
        out += ['ptwritel %s' % m, 'ptwriteq %s' % m,
                'wrssd %%%s, %s' % (R32[i % 12], m), 'wrssq %%%s, %s' % (R64[i % 13], m),
                'wrussd %%%s, %s' % (R32[(i + 1) % 12], m), 'wrussq %%%s, %s' % (R64[(i + 1) % 13], m)]
    out += ['hreset $0', 'hreset $0xff']
    return out


def assemble(lines):
    """Returns (hex, text) pairs for the lines llvm-mc accepts."""
    p = subprocess.run(MC, input='\n'.join(lines) + '\n', capture_output=True, text=True)
    res = []
    pending_b, pending_t = [], []
    for ln in p.stdout.splitlines():
        m = re.match(r'\s+(\S.*?)\s+# encoding: \[(.*)\]', ln)
        if not m:
            continue
        text, enc = m.group(1), m.group(2)
        bs = ['00' if b == 'A' else '%02x' % int(b, 16) for b in enc.split(',')]
        # llvm-mc emits xacquire/xrelease (and some other prefixes) as lines of their own
        if text in ('xacquire', 'xrelease', 'lock', 'rep', 'repne', 'notrack', 'data16',
                    'addr32'):
            pending_b += bs
            pending_t.append(text)
            continue
        res.append((' '.join(pending_b + bs), re.sub(r'\s+', ' ', ' '.join(pending_t + [text]))))
        pending_b, pending_t = [], []
    # AH-BH next to a register that needs REX is not encodable; those lines are dropped.
    errs = [l for l in p.stderr.splitlines() if 'error' in l and 'requiring REX' not in l]
    return res, errs


# Encodings written by hand: branches with real displacements, prefix variants the assembler
# does not produce, and forms LLVM's assembler does not know.
RAW_GP = '''
70 10 # jo
71 f0 # jno
72 00 # jb
73 7f # jae
74 80 # je
75 01 # jne
76 fe # jbe
77 02 # ja
78 03 # js
79 04 # jns
7a 05 # jp
7b 06 # jnp
7c 07 # jl
7d 08 # jge
7e 09 # jle
7f 0a # jg
0f 80 00 01 00 00 # jo rel32
0f 81 00 ff ff ff
0f 82 10 00 00 00
0f 83 10 00 00 00
0f 84 10 00 00 00
0f 85 80 00 00 00
0f 86 10 00 00 00
0f 87 10 00 00 00
0f 88 10 00 00 00
0f 89 10 00 00 00
0f 8a 10 00 00 00
0f 8b 10 00 00 00
0f 8c 10 00 00 00
0f 8d 10 00 00 00
0f 8e 10 00 00 00
0f 8f 10 00 00 00
2e 74 10 # jcc with a CS (branch-not-taken hint) prefix
3e 75 10 # jcc with a DS (branch-taken hint) prefix
f2 74 10 # bnd jcc
e8 00 10 00 00 # call rel32
e8 fb ff ff ff
e9 00 10 00 00 # jmp rel32
eb 10 # jmp rel8
eb fe
f2 e8 00 00 00 00 # bnd call
f2 e9 00 00 00 00 # bnd jmp
f2 c3 # bnd ret
e3 10 # jrcxz
67 e3 10 # jecxz
e2 f0 # loop
e1 10 # loope
e0 10 # loopne
c7 f8 10 00 00 00 # xbegin
66 c7 f8 10 00 # xbegin rel16
f2 0f 84 10 00 00 00 # F2 on jcc rel32
ff d0 # call *%rax
41 ff d3 # call *%r11
d5 10 ff d0 # call *%r16
ff 10 # call *(%rax)
ff 15 10 00 00 00 # call *rip
3e ff d0 # notrack call
3e ff 10 # notrack call mem
3e ff e0 # notrack jmp
3e 41 ff e3 # notrack jmp r11
f2 ff d0 # bnd call
ff e0 # jmp *%rax
ff 24 c5 00 10 00 00 # jmp table
ff 25 00 00 00 00 # jmp *rip
ff 18 # lcall m16:32
48 ff 18 # lcall m16:64
66 ff 18 # lcall m16:16
ff 28 # ljmp m16:32
48 ff 28
66 ff 2c 24
ff 1c 24
66 90 # xchg ax,ax = nop
f2 90
41 90 # xchg r8d,eax
49 90 # xchg r8,rax
66 41 90
d5 10 90 # xchg r16d,eax
d5 19 90 # xchg r24,rax
f3 41 90 # not pause: xchg r8d
48 90 # rex.w nop
87 c0
48 98
48 99
66 98
66 99
48 d7 # xlat with rex.w
67 d7 # xlat with addr32
48 9c # pushfq with rex.w
66 48 9c
48 c9 # leave with rex.w
66 c9 # leave 16
48 e5 01 # inl (rex.w ignored)
66 48 ed
48 cf
48 cb
66 cb
66 ca 08 00
48 ca 08 00
48 0f a0
48 0f a1
66 0f a8
66 0f a9
f3 a5
f3 48 a5
f3 66 a5
f2 a6
f3 a7
f3 48 a7
f2 66 af
f3 ab
f3 48 ab
f3 66 ab
f3 ac
f3 48 ad
67 f3 a4
64 a4
26 a5
2e 48 a5
65 ac
36 66 ad
f3 6c
f3 6d
f3 66 6d
f3 6e
f3 6f
f3 66 6f
67 6c
64 6e
2e 6f
f3 0f b8 c0 # popcnt
66 f3 0f b8 c0
f3 48 0f b8 c0
f3 0f bc c0 # tzcnt
f2 0f bc c0 # bsf with F2
66 0f bc c0
f3 0f bd c0
66 0f c8 # bswap ax
f2 0f 38 f0 c0
66 f2 0f 38 f1 c0
f2 48 0f 38 f1 c0
f3 0f 38 f0 00 # movbe with F3
66 0f 38 f0 00
0f 90 c8 # setcc ignores ModRM.reg
0f 95 f8
0f 9f 38
0f 18 20 # hint nop 0F 18 /4
0f 18 c0 # hint nop 0F 18 reg
0f 18 e8
0f 19 00 # hint nop 0F 19
0f 19 c0
48 0f 19 c8
66 0f 19 04 24
0f 1c 08 # hint nop 0F 1C /1
0f 1c c0
0f 1d 00 # hint nop 0F 1D
0f 1d c1
0f 1e 00 # hint nop 0F 1E
0f 1e fa # endbr64 without F3
66 0f 1e fa
f3 0f 1e c0
0f 1f c8 # nop /1
0f 1f 80 00 00 00 00
66 0f 1f 84 00 00 00 00 00
66 2e 0f 1f 84 00 00 00 00 00
0f ff c0 # ud0
0f ff 00
48 0f ff c8
f1 # int1
66 63 c0 # movsxd r16, r/m16
66 63 08
63 c0
48 63 c0
48 c1 e0 00
c0 e0 08
d0 30 # group 2 /6 (blank)
f6 c8 01 # group 3 /1 (blank)
fe d0 # group 4 /2
ff d8 # group 5 /3 register form
ff f8 # group 5 /7
82 c0 01 # invalid in 64-bit
06
0e
1e
27
37
60
9a 00 00 00 00 00 00
ce
d4 0a
d6
ea 00 00 00 00 00 00
8c f0 # mov from segment 6
8e c8 # mov to cs
8d c0 # lea reg form
f0 01 c0 # lock on register destination
f0 88 00 # lock mov
f0 02 00 # lock add to register
f0 90 # lock nop
f0 0f c1 00
f0 86 00
f0 87 00
f0 f6 10
f0 ff 00
f0 fe 08
f0 0f ab 00
f0 0f ba 28 01
f0 0f ba 20 01 # lock bt (not allowed)
f2 f0 01 00 # xacquire lock add
f3 f0 01 00 # xrelease lock add
f3 88 00 # xrelease mov
f3 c7 00 00 00 00 00
f2 86 00 # xacquire xchg (implicit lock)
66 e9 00 00 00 00 # jmp rel32 with 66 (f64)
66 e8 00 00 00 00 # call rel32 with 66 (f64)
66 0f 84 00 00 00 00 # jcc rel32 with 66 (f64)
66 c3 # ret with 66 (f64)
66 c2 08 00
66 ff d0 # call with 66
66 ff e0
66 eb 10
66 74 10
d5 00 70 10 # rex2 + jcc rel8 (#UD)
d5 00 a0 00 00 00 00 00 00 00 00
d5 00 a4
d5 00 a8 01
d5 00 ab
d5 00 e8 00 00 00 00
d5 00 e9 00 00 00 00
d5 00 ec
d5 00 e3 00
d5 80 84 00 00 00 00
d5 80 30
d5 80 31
d5 80 32
d5 80 33
d5 80 a2 # cpuid with rex2 (allowed)
d5 10 50 # push r16
d5 18 58 # popp r16 (rex2 w)
d5 10 b8 01 00 00 00 # mov $1,%r16d
d5 18 b8 01 02 03 04 05 06 07 08 # movabs $imm64,%r16
d5 10 8f c0 # pop r16
d5 90 c8 # bswap r16d
d5 98 cf # bswap r31
d5 c0 af c0
d5 80 44 c0 # cmovo
d5 90 94 c0 # sete r16b
d5 00 90 # rex2 nop
d5 00 0f 0b # rex2 + 0f escape (#UD)
40 90
67 a0 10 00 00 00 # mov moffs with a 32-bit address
67 a1 10 00 00 00
67 66 a3 10 00 00 00
67 48 a1 10 00 00 00
64 a1 11 22 33 44 55 66 77 88
65 67 a2 10 00 00 00
f3 48 90 # pause with rex.w
66 f3 a5
2e ff 10
3e 70 00
67 e2 00 # addr32 loop
67 90
66 9d
48 9d
66 48 9d
66 6a ff
48 6a ff
8e c8 # mov to cs
8e 08
'''

RAW_SYS = '''
0f 00 f0 # group 6 /6 without F2
0f 00 38 # group 6 /7
f2 0f 00 f0 # lkgs
f2 48 0f 00 30
0f 01 cc # unassigned 0F 01 reg forms
0f 01 cd
0f 01 ce
0f 01 d2
0f 01 d3
0f 01 e9
0f 01 eb
66 0f 01 c8 # monitor with 66
f3 0f 01 c8
66 0f 01 d0 # xgetbv with 66 (#UD)
f3 0f 01 fa # mcommit
f2 0f 01 fa # monitorx slot with F2
f3 0f 01 fc # clzero slot with F3
66 0f 01 f8
67 0f 01 fc # clzero with addr32
67 0f 01 c8
67 0f 01 fa
67 0f 01 df
0f 01 28 # 0F 01 /5 memory without F3
0f 01 e0
66 0f 01 e0
48 0f 01 e0
0f 01 f0
0f 01 30
0f 20 00 # mov cr with mod != 3
0f 22 18
0f 21 00
44 0f 20 c0 # mov cr8
44 0f 22 c0
f0 0f 20 c0 # lock mov cr0 (AMD cr8)
0f 20 c8 # cr1
0f 20 e8 # cr5
0f 21 e0 # dr4
0f 07
48 0f 07
0f 35
48 0f 35
66 0f 05
0f 34
0f 37
0f 78 c0
0f 79 c0
0f ae e9 # lfence with non-zero rm
0f ae f1
0f ae ff
66 0f ae e8
66 0f ae f8
f2 0f ae f8
66 0f ae f0 # tpause
f2 0f ae f0 # umwait
f3 0f ae f0 # umonitor
67 f3 0f ae f0
66 f3 0f ae c0 # rdfsbase with 66
f3 0f ae e0 # ptwrite reg
f3 48 0f ae e0
f3 0f ae 20
f3 0f ae 30 # clrssbsy
f3 0f ae e8 # incsspd
f3 48 0f ae e8
f3 0f ae 28 # xrstor slot with f3
66 0f ae 00 # fxsave with 66
f3 0f ae 38
0f ae c0 # fxsave reg form (#UD)
0f ae 20
48 0f ae 20
d5 80 ae 20 # xsave with rex2 (#UD)
d5 88 ae 28
d5 80 ae 30
d5 80 c7 18
d5 80 c7 20
d5 80 c7 28
d5 80 ae 00 # fxsave with rex2 (allowed)
d5 80 ae 38 # clflush with rex2
d5 80 01 d0 # xgetbv with rex2
d5 80 c7 f0 # rdrand with rex2
d5 91 c7 f0 # rdrand r17d
0f c7 c8 # group 9 /1 register (#UD)
0f c7 e8
f3 0f c7 f0 # senduipi
f3 41 0f c7 f0
66 0f c7 f0
48 0f c7 f0
66 0f c7 f8
f3 0f c7 f8
66 f3 0f c7 f8
f3 48 0f c7 f8
66 0f c7 38 # vmptrst with 66
f3 0f c7 38
48 0f c7 30
f3 0f 1e fa
f3 0f 1e fb
f3 66 0f 1e fa
f3 48 0f 1e fa
f3 0f 1e c8
f3 48 0f 1e c8
f3 41 0f 1e c9
f3 0f 1e fc
66 0f 38 f6 00 # adcx mem
f3 0f 38 f6 00
0f 38 f6 00 # wrss
48 0f 38 f6 00
66 0f 38 f5 00
66 48 0f 38 f5 00
0f 38 f6 c0 # wrss register form (#UD)
66 0f 38 80 c0 # invept register form (#UD)
66 0f 38 82 00
f3 0f 3a f0 c0 01
f3 0f 3a f0 c1 01 # hreset with modrm != c0
f3 0f 09
66 0f 09
0f 0d 00
0f 0d 08
0f 0d 10
0f 0d 18
0f 0d c0
0f aa
'''


def raw(text):
    res = []
    for ln in text.strip().splitlines():
        hx, _, c = ln.partition('#')
        res.append((hx.strip(), c.strip()))
    return res


def write(path, title, pairs):
    seen = set()
    with open(path, 'w') as f:
        f.write('# %s (generated by gen_legacy.py; bytes from llvm-mc-19 unless written by hand)\n'
                % title)
        for hx, c in pairs:
            if hx in seen:
                continue
            seen.add(hx)
            f.write('%s # %s\n' % (hx, c) if c else hx + '\n')
    return len(seen)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, gen, rawtext in (('legacy_gp', gp_lines, RAW_GP), ('legacy_sys', sys_lines, RAW_SYS)):
        pairs, errs = assemble(gen())
        for e in errs:
            print('%s: %s' % (name, e), file=sys.stderr)
        n = write(os.path.join(outdir, name + '.hex'), name, pairs + raw(rawtext))
        print('%s.hex: %d lines (%d assembler errors)' % (name, n, len(errs)))


if __name__ == '__main__':
    main()
