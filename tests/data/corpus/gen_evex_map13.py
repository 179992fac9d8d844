#!/usr/bin/env python3
"""Writes evex_map13.hex: EVEX map 1 (0F) and map 3 (0F3A) AVX-512 encodings.

Assembly is generated from the spec list below and assembled with llvm-mc-19; only EVEX
encodings in maps 1 and 3 are kept. Each output line is `HEX  # AT&T text`.

    python3 gen_evex_map13.py > evex_map13.hex

Spec grammar: `mnemonic operands attrs`, operands in Intel order (destination first):
  Vx Vh V1     vector register: full length, half length, xmm
  Hx H1        vvvv vector register: full length, xmm
  Wx Wh W1 W2  vector register or memory: full, half, xmm/m128 (or scalar), ymm/m256
  Ux U1        vector register only: full, xmm
  Mx Mh M1 M2  memory only, same sizes
  K            opmask destination
  Gd Gq Rd     32/64-bit GPR (reg only);  Ed Eq: GPR or memory
  Mb Mw Md Mq  memory only
  I            imm8
attrs: k (merge mask), z (zeroing), bN (broadcast of N-byte elements), er, sae,
  L=xyz (vector lengths), sfx (x/y[/z] suffix on memory forms without broadcast),
  cmp=N (imm8 values 0..N-1 plus a few larger), st (store: memory destination).
"""
import random
import subprocess
import sys

SPECS = r"""
# ---- map 1
vmovups Vx,Wx k z
vmovupd Vx,Wx k z
vmovups Wx,Vx k z
vmovupd Wx,Vx k z
vmovss V1,M1 k z
vmovss V1,H1,U1 k z
vmovsd V1,M1 k z
vmovsd V1,H1,U1 k z
vmovss M1,V1 k
vmovsd M1,V1 k
vmovlps V1,H1,Mq
vmovhlps V1,H1,U1
vmovlpd V1,H1,Mq
vmovsldup Vx,Wx k z
vmovshdup Vx,Wx k z
vmovddup Vx,Wx k z L=yz
vmovddup V1,Wq k z L=x
vmovlps Mq,V1
vmovlpd Mq,V1
vunpcklps Vx,Hx,Wx k z b4
vunpcklpd Vx,Hx,Wx k z b8
vunpckhps Vx,Hx,Wx k z b4
vunpckhpd Vx,Hx,Wx k z b8
vmovhps V1,H1,Mq
vmovlhps V1,H1,U1
vmovhpd V1,H1,Mq
vmovhps Mq,V1
vmovhpd Mq,V1
vmovaps Vx,Wx k z
vmovapd Vx,Wx k z
vmovaps Wx,Vx k z
vmovapd Wx,Vx k z
vcvtsi2ss V1,H1,Gd er
vcvtsi2ss V1,H1,Gq er
vcvtsi2ssl V1,H1,Md
vcvtsi2ssq V1,H1,Mq
vcvtsi2sd V1,H1,Gd
vcvtsi2sd V1,H1,Gq er
vcvtsi2sdl V1,H1,Md
vcvtsi2sdq V1,H1,Mq
vmovntps Mx,Vx
vmovntpd Mx,Vx
vcvttss2si Gd,Ws sae
vcvttss2si Gq,Ws sae
vcvttsd2si Gd,Ws sae
vcvttsd2si Gq,Ws sae
vcvtss2si Gd,Ws er
vcvtss2si Gq,Ws er
vcvtsd2si Gd,Ws er
vcvtsd2si Gq,Ws er
vucomiss V1,Ws sae
vucomisd V1,Ws sae
vcomiss V1,Ws sae
vcomisd V1,Ws sae
vsqrtps Vx,Wx k z b4 er
vsqrtpd Vx,Wx k z b8 er
vsqrtss V1,H1,Ws k z er
vsqrtsd V1,H1,Ws k z er
vandps Vx,Hx,Wx k z b4
vandpd Vx,Hx,Wx k z b8
vandnps Vx,Hx,Wx k z b4
vandnpd Vx,Hx,Wx k z b8
vorps Vx,Hx,Wx k z b4
vorpd Vx,Hx,Wx k z b8
vxorps Vx,Hx,Wx k z b4
vxorpd Vx,Hx,Wx k z b8
vaddps Vx,Hx,Wx k z b4 er
vaddpd Vx,Hx,Wx k z b8 er
vaddss V1,H1,Ws k z er
vaddsd V1,H1,Ws k z er
vmulps Vx,Hx,Wx k z b4 er
vmulpd Vx,Hx,Wx k z b8 er
vmulss V1,H1,Ws k z er
vmulsd V1,H1,Ws k z er
vcvtps2pd Vx,Wh k z b4 sae
vcvtpd2ps Vh,Wx k z b8 er sfx
vcvtss2sd V1,H1,Ws k z sae
vcvtsd2ss V1,H1,Ws k z er
vcvtdq2ps Vx,Wx k z b4 er
vcvtqq2ps Vh,Wx k z b8 er sfx
vcvtps2dq Vx,Wx k z b4 er
vcvttps2dq Vx,Wx k z b4 sae
vsubps Vx,Hx,Wx k z b4 er
vsubpd Vx,Hx,Wx k z b8 er
vsubss V1,H1,Ws k z er
vsubsd V1,H1,Ws k z er
vminps Vx,Hx,Wx k z b4 sae
vminpd Vx,Hx,Wx k z b8 sae
vminss V1,H1,Ws k z sae
vminsd V1,H1,Ws k z sae
vdivps Vx,Hx,Wx k z b4 er
vdivpd Vx,Hx,Wx k z b8 er
vdivss V1,H1,Ws k z er
vdivsd V1,H1,Ws k z er
vmaxps Vx,Hx,Wx k z b4 sae
vmaxpd Vx,Hx,Wx k z b8 sae
vmaxss V1,H1,Ws k z sae
vmaxsd V1,H1,Ws k z sae
vpunpcklbw Vx,Hx,Wx k z
vpunpcklwd Vx,Hx,Wx k z
vpunpckldq Vx,Hx,Wx k z b4
vpacksswb Vx,Hx,Wx k z
vpcmpgtb K,Hx,Wx k
vpcmpgtw K,Hx,Wx k
vpcmpgtd K,Hx,Wx k b4
vpackuswb Vx,Hx,Wx k z
vpunpckhbw Vx,Hx,Wx k z
vpunpckhwd Vx,Hx,Wx k z
vpunpckhdq Vx,Hx,Wx k z b4
vpackssdw Vx,Hx,Wx k z b4
vpunpcklqdq Vx,Hx,Wx k z b8
vpunpckhqdq Vx,Hx,Wx k z b8
vmovd V1,Ed
vmovq V1,Eq
vmovdqa32 Vx,Wx k z
vmovdqa64 Vx,Wx k z
vmovdqu32 Vx,Wx k z
vmovdqu64 Vx,Wx k z
vmovdqu8 Vx,Wx k z
vmovdqu16 Vx,Wx k z
vpshufd Vx,Wx,I k z b4
vpshufhw Vx,Wx,I k z
vpshuflw Vx,Wx,I k z
vpsrlw Hx,Wx,I k z
vpsraw Hx,Wx,I k z
vpsllw Hx,Wx,I k z
vprord Hx,Wx,I k z b4
vprorq Hx,Wx,I k z b8
vprold Hx,Wx,I k z b4
vprolq Hx,Wx,I k z b8
vpsrld Hx,Wx,I k z b4
vpsrad Hx,Wx,I k z b4
vpsraq Hx,Wx,I k z b8
vpslld Hx,Wx,I k z b4
vpsrlq Hx,Wx,I k z b8
vpsrldq Hx,Wx,I
vpsllq Hx,Wx,I k z b8
vpslldq Hx,Wx,I
vpcmpeqb K,Hx,Wx k
vpcmpeqw K,Hx,Wx k
vpcmpeqd K,Hx,Wx k b4
vcvttps2udq Vx,Wx k z b4 sae
vcvttpd2udq Vh,Wx k z b8 sae sfx
vcvttps2uqq Vx,Wh k z b4 sae
vcvttpd2uqq Vx,Wx k z b8 sae
vcvttss2usi Gd,Ws sae
vcvttss2usi Gq,Ws sae
vcvttsd2usi Gd,Ws sae
vcvttsd2usi Gq,Ws sae
vcvtps2udq Vx,Wx k z b4 er
vcvtpd2udq Vh,Wx k z b8 er sfx
vcvtps2uqq Vx,Wh k z b4 er
vcvtpd2uqq Vx,Wx k z b8 er
vcvtss2usi Gd,Ws er
vcvtss2usi Gq,Ws er
vcvtsd2usi Gd,Ws er
vcvtsd2usi Gq,Ws er
vcvttps2qq Vx,Wh k z b4 sae
vcvttpd2qq Vx,Wx k z b8 sae
vcvtudq2pd Vx,Wh k z b4
vcvtuqq2pd Vx,Wx k z b8 er
vcvtudq2ps Vx,Wx k z b4 er
vcvtuqq2ps Vh,Wx k z b8 er sfx
vcvtps2qq Vx,Wh k z b4 er
vcvtpd2qq Vx,Wx k z b8 er
vcvtusi2ss V1,H1,Gd er
vcvtusi2ss V1,H1,Gq er
vcvtusi2ssl V1,H1,Md
vcvtusi2ssq V1,H1,Mq
vcvtusi2sd V1,H1,Gd
vcvtusi2sd V1,H1,Gq er
vcvtusi2sdl V1,H1,Md
vcvtusi2sdq V1,H1,Mq
vmovd Ed,V1
vmovq Eq,V1
vmovq V1,Wq
vmovq Mq,V1
vmovdqa32 Wx,Vx k z
vmovdqa64 Wx,Vx k z
vmovdqu32 Wx,Vx k z
vmovdqu64 Wx,Vx k z
vmovdqu8 Wx,Vx k z
vmovdqu16 Wx,Vx k z
vmovups.s Ux,Vx k z
vmovupd.s Ux,Vx k z
vmovss.s U1,H1,V1 k z
vmovsd.s U1,H1,V1 k z
vmovaps.s Ux,Vx k z
vmovapd.s Ux,Vx k z
vmovdqa32.s Ux,Vx k z
vmovdqa64.s Ux,Vx k z
vmovdqu32.s Ux,Vx k z
vmovdqu64.s Ux,Vx k z
vmovdqu8.s Ux,Vx k z
vmovdqu16.s Ux,Vx k z
vmovq.s U1,V1
vcmpps K,Hx,Wx,I k b4 sae cmp=32
vcmppd K,Hx,Wx,I k b8 sae cmp=32
vcmpss K,H1,Ws,I k sae cmp=32
vcmpsd K,H1,Ws,I k sae cmp=32
vpinsrw V1,H1,Rd,I
vpinsrw V1,H1,Mw,I
vpextrw Gd,U1,I
vshufps Vx,Hx,Wx,I k z b4
vshufpd Vx,Hx,Wx,I k z b8
vpsrlw Vx,Hx,W1 k z
vpsrld Vx,Hx,W1 k z
vpsrlq Vx,Hx,W1 k z
vpaddq Vx,Hx,Wx k z b8
vpmullw Vx,Hx,Wx k z
vpsubusb Vx,Hx,Wx k z
vpsubusw Vx,Hx,Wx k z
vpminub Vx,Hx,Wx k z
vpandd Vx,Hx,Wx k z b4
vpandq Vx,Hx,Wx k z b8
vpaddusb Vx,Hx,Wx k z
vpaddusw Vx,Hx,Wx k z
vpmaxub Vx,Hx,Wx k z
vpandnd Vx,Hx,Wx k z b4
vpandnq Vx,Hx,Wx k z b8
vpavgb Vx,Hx,Wx k z
vpsraw Vx,Hx,W1 k z
vpsrad Vx,Hx,W1 k z
vpsraq Vx,Hx,W1 k z
vpavgw Vx,Hx,Wx k z
vpmulhuw Vx,Hx,Wx k z
vpmulhw Vx,Hx,Wx k z
vcvttpd2dq Vh,Wx k z b8 sae sfx
vcvtdq2pd Vx,Wh k z b4
vcvtqq2pd Vx,Wx k z b8 er
vcvtpd2dq Vh,Wx k z b8 er sfx
vmovntdq Mx,Vx
vpsubsb Vx,Hx,Wx k z
vpsubsw Vx,Hx,Wx k z
vpminsw Vx,Hx,Wx k z
vpord Vx,Hx,Wx k z b4
vporq Vx,Hx,Wx k z b8
vpaddsb Vx,Hx,Wx k z
vpaddsw Vx,Hx,Wx k z
vpmaxsw Vx,Hx,Wx k z
vpxord Vx,Hx,Wx k z b4
vpxorq Vx,Hx,Wx k z b8
vpsllw Vx,Hx,W1 k z
vpslld Vx,Hx,W1 k z
vpsllq Vx,Hx,W1 k z
vpmuludq Vx,Hx,Wx k z b8
vpmaddwd Vx,Hx,Wx k z
vpsadbw Vx,Hx,Wx
vpsubb Vx,Hx,Wx k z
vpsubw Vx,Hx,Wx k z
vpsubd Vx,Hx,Wx k z b4
vpsubq Vx,Hx,Wx k z b8
vpaddb Vx,Hx,Wx k z
vpaddw Vx,Hx,Wx k z
vpaddd Vx,Hx,Wx k z b4
# ---- map 3
vpermq Vx,Wx,I k z b8 L=yz
vpermpd Vx,Wx,I k z b8 L=yz
valignd Vx,Hx,Wx,I k z b4
valignq Vx,Hx,Wx,I k z b8
vpermilps Vx,Wx,I k z b4
vpermilpd Vx,Wx,I k z b8
vrndscaleph Vx,Wx,I k z b2 sae
vrndscaleps Vx,Wx,I k z b4 sae
vrndscalepd Vx,Wx,I k z b8 sae
vrndscalesh V1,H1,Ws,I k z sae
vrndscaless V1,H1,Ws,I k z sae
vrndscalesd V1,H1,Ws,I k z sae
vpalignr Vx,Hx,Wx,I k z
vpextrb Rd,V1,I
vpextrb Mb,V1,I
vpextrw Rd,V1,I
vpextrw Mw,V1,I
vpextrd Ed,V1,I
vpextrq Eq,V1,I
vextractps Ed,V1,I
vinsertf32x4 Vx,Hx,W1,I k z L=yz
vinsertf64x2 Vx,Hx,W1,I k z L=yz
vextractf32x4 W1,Vx,I k z L=yz
vextractf64x2 W1,Vx,I k z L=yz
vinsertf32x8 Vx,Hx,W2,I k z L=z
vinsertf64x4 Vx,Hx,W2,I k z L=z
vextractf32x8 W2,Vx,I k z L=z
vextractf64x4 W2,Vx,I k z L=z
vcvtps2ph Wh,Vx,I k z sae
vpcmpud K,Hx,Wx,I k b4 cmp=8
vpcmpuq K,Hx,Wx,I k b8 cmp=8
vpcmpd K,Hx,Wx,I k b4 cmp=8
vpcmpq K,Hx,Wx,I k b8 cmp=8
vpinsrb V1,H1,Rd,I
vpinsrb V1,H1,Mb,I
vinsertps V1,H1,U1,I
vinsertps V1,H1,Md,I
vpinsrd V1,H1,Ed,I
vpinsrq V1,H1,Eq,I
vshuff32x4 Vx,Hx,Wx,I k z b4 L=yz
vshuff64x2 Vx,Hx,Wx,I k z b8 L=yz
vpternlogd Vx,Hx,Wx,I k z b4
vpternlogq Vx,Hx,Wx,I k z b8
vgetmantph Vx,Wx,I k z b2 sae
vgetmantps Vx,Wx,I k z b4 sae
vgetmantpd Vx,Wx,I k z b8 sae
vgetmantsh V1,H1,Ws,I k z sae
vgetmantss V1,H1,Ws,I k z sae
vgetmantsd V1,H1,Ws,I k z sae
vinserti32x4 Vx,Hx,W1,I k z L=yz
vinserti64x2 Vx,Hx,W1,I k z L=yz
vextracti32x4 W1,Vx,I k z L=yz
vextracti64x2 W1,Vx,I k z L=yz
vinserti32x8 Vx,Hx,W2,I k z L=z
vinserti64x4 Vx,Hx,W2,I k z L=z
vextracti32x8 W2,Vx,I k z L=z
vextracti64x4 W2,Vx,I k z L=z
vpcmpub K,Hx,Wx,I k cmp=8
vpcmpuw K,Hx,Wx,I k cmp=8
vpcmpb K,Hx,Wx,I k cmp=8
vpcmpw K,Hx,Wx,I k cmp=8
vdbpsadbw Vx,Hx,Wx,I k z
vshufi32x4 Vx,Hx,Wx,I k z b4 L=yz
vshufi64x2 Vx,Hx,Wx,I k z b8 L=yz
vpclmulqdq Vx,Hx,Wx,I
vrangeps Vx,Hx,Wx,I k z b4 sae
vrangepd Vx,Hx,Wx,I k z b8 sae
vrangess V1,H1,Ws,I k z sae
vrangesd V1,H1,Ws,I k z sae
vfixupimmps Vx,Hx,Wx,I k z b4 sae
vfixupimmpd Vx,Hx,Wx,I k z b8 sae
vfixupimmss V1,H1,Ws,I k z sae
vfixupimmsd V1,H1,Ws,I k z sae
vreduceph Vx,Wx,I k z b2 sae
vreduceps Vx,Wx,I k z b4 sae
vreducepd Vx,Wx,I k z b8 sae
vreducesh V1,H1,Ws,I k z sae
vreducess V1,H1,Ws,I k z sae
vreducesd V1,H1,Ws,I k z sae
vfpclassph K,Wx,I k b2 sfx
vfpclassps K,Wx,I k b4 sfx
vfpclasspd K,Wx,I k b8 sfx
vfpclasssh K,Ws,I k
vfpclassss K,Ws,I k
vfpclasssd K,Ws,I k
vpshldw Vx,Hx,Wx,I k z
vpshldd Vx,Hx,Wx,I k z b4
vpshldq Vx,Hx,Wx,I k z b8
vpshrdw Vx,Hx,Wx,I k z
vpshrdd Vx,Hx,Wx,I k z b4
vpshrdq Vx,Hx,Wx,I k z b8
vcmpph K,Hx,Wx,I k b2 sae cmp=32
vcmpsh K,H1,Ws,I k sae cmp=32
vgf2p8affineqb Vx,Hx,Wx,I k z b8
vgf2p8affineinvqb Vx,Hx,Wx,I k z b8
"""

MEMS = [
    '(%rax)', '0x40(%rax)', '-0x40(%rbx)', '0x7f0(%rcx)', '0x1000(%rdx)', '0x123(%rsi)',
    '(%rsp)', '0x8(%rbp)', '-0x1000(%r8,%r9,2)', '0x20(%rax,%rcx,4)', '(%r12,%r13,8)',
    '0x12345678(,%rax,8)', '0x100(%rip)', '-0x80(%r13)', '0x200(%rsp,%rbx)', '(%r16)',
    '0x40(%r17,%r30,2)', '-0x8(%r31,%rax)', '(%rax,%r20,8)', '0x7f(%r21)', '-0x2000(%r25,%r26,4)',
]
GPR32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] + ['r%dd' % i for i in range(8, 32)]
GPR64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi'] + ['r%d' % i for i in range(8, 32)]
VL = {'x': 16, 'y': 32, 'z': 64}
RC = ['{rn-sae}', '{rd-sae}', '{ru-sae}', '{rz-sae}']
rng = random.Random(1234)
memi = [0]


def vreg(n, vl):
    return '%%%smm%d' % ({16: 'x', 32: 'y', 64: 'z'}[vl], n)


def next_mem():
    m = MEMS[memi[0] % len(MEMS)]
    memi[0] += 1
    return m


def parse(line):
    f = line.split()
    m, ops = f[0], f[1].split(',')
    a = set(f[2:])
    lens = 'xyz'
    for x in list(a):
        if x.startswith('L='):
            lens = x[2:]
    return m, ops, a, lens


def kind_size(op, vl):
    k = op[1:] if op[0] != 'K' else ''
    return {'x': vl, 'h': max(16, vl // 2), '1': 16, '2': 32, 's': 16, 'q': 16}.get(k, vl)


def render(m, ops, a, vl, regs, memop, bc, mask, rnd, imm):
    """ops Intel order; returns AT&T text."""
    out = []
    for i, op in enumerate(ops):
        t = op[0]
        if t == 'I':
            out.append('$%d' % imm)
        elif t == 'K':
            out.append('%%k%d' % regs[i] if i else '%%k%d' % (regs[i] % 8))
        elif t in 'GR':
            out.append('%' + (GPR64 if op[1] == 'q' else GPR32)[regs[i]])
        elif t == 'E' and memop is None:
            out.append('%' + (GPR64 if op[1] == 'q' else GPR32)[regs[i]])
        elif t in 'EM' or (t == 'W' and memop is not None):
            s = memop
            if bc:
                s += '{1to%d}' % bc
            out.append(s)
        else:
            out.append(vreg(regs[i], kind_size(op, vl)))
    if mask:
        out[0] += ' ' + mask
    att = list(reversed(out))
    if rnd:
        # the rounding operand follows the immediate in AT&T order
        # (after the GPR source for VCVT[U]SI2SS/SD)
        pos = 1 if ops[-1] == 'I' or ops[-1][0] in 'EG' else 0
        att.insert(pos, rnd)
    return m + ' ' + ', '.join(att)


def gen(line):
    m, ops, a, lens = parse(line)
    has_mem = any(o[0] in 'EM' or o[0] == 'W' for o in ops)
    reg_only = not any(o[0] in 'M' for o in ops)
    bcst = next((int(x[1:]) for x in a if x in ('b2', 'b4', 'b8')), 0)
    scalar = lens == 'xyz' and all(o in ('K', 'I') or o[1] in '1sqdbw' for o in ops)
    if scalar:
        lens = 'x'
    dest_mem = ops[0][0] in 'MEW' and ops[0][0] != 'V'
    imms = [0x1b]
    if 'cmp=32' in a:
        imms = list(range(32)) + [0x20, 0x7f, 0xff]
    elif 'cmp=8' in a:
        imms = list(range(8)) + [0x8, 0xff]
    lines = []
    for L in lens:
        vl = VL[L]
        masks = ['']
        if 'k' in a:
            masks += ['{%k1}', '{%k7}']
            if 'z' in a:
                masks += ['{%k2} {z}']
        for imm_i, imm in enumerate(imms):
            few = imm_i > 0
            # register forms
            if reg_only:
                for mi, mask in enumerate(masks if not few else masks[:1]):
                    regs = [rng.choice([0, 1, 5, 8, 15, 16, 23, 31]) for _ in ops]
                    if mask and ops[0][0] == 'K':
                        pass
                    rnd = None
                    lines.append(render(m, ops, a, vl, regs, None, 0, mask, rnd, imm))
                if not few and (('er' in a or 'sae' in a) and (vl == 64 or scalar)):
                    choices = RC if 'er' in a else ['{sae}']
                    for rc in choices:
                        regs = [rng.randrange(32) for _ in ops]
                        mask = rng.choice(masks)
                        lines.append(render(m, ops, a, vl, regs, None, 0, mask, rc, imm))
            # memory forms
            if has_mem:
                nmem = 1 if few else 5
                for j in range(nmem):
                    regs = [rng.randrange(32) for _ in ops]
                    mask = masks[j % len(masks)]
                    if dest_mem and 'z' in mask:
                        mask = '{%k3}'
                    mm = m
                    if 'sfx' in a and (vl < 64 or m.startswith('vfpclass')):
                        mm = m + {16: 'x', 32: 'y', 64: 'z'}[vl]
                    lines.append(render(mm, ops, a, vl, regs, next_mem(), 0, mask, None, imm))
                if bcst and not few:
                    for j in range(2):
                        regs = [rng.randrange(32) for _ in ops]
                        mask = masks[(j + 1) % len(masks)]
                        src = vl // 2 if any(o == 'Wh' for o in ops) else vl
                        lines.append(render(m, ops, a, vl, regs, next_mem(), src // bcst, mask,
                                            None, imm))
    return lines


def main():
    asm = []
    for line in SPECS.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        for t in gen(line):
            asm.append('{evex} ' + t)
    attrs = ('+avx512f,+avx512vl,+avx512bw,+avx512dq,+avx512vbmi2,+avx512fp16,+gfni,'
             '+vpclmulqdq,+egpr')
    p = subprocess.run(['llvm-mc-19', '-triple=x86_64', '-show-encoding', '-mattr=' + attrs],
                       input='\n'.join(asm) + '\n', capture_output=True, text=True)
    errs = [l for l in p.stderr.splitlines() if 'error:' in l]
    for e in errs:
        print('llvm-mc: ' + e, file=sys.stderr)
    print('# EVEX maps 1 and 3 (AVX-512, GFNI, VPCLMULQDQ, FP16 map 3). Generated by '
          'gen_evex_map13.py from llvm-mc-19 encodings, plus variants llvm-mc never emits.')
    seen = set()
    n = 0
    firsts = {}
    for l in p.stdout.splitlines():
        if 'encoding: [' not in l:
            continue
        text, enc = l.split('# encoding: [')
        bs = [int(x, 16) for x in enc.rstrip(']').split(',')]
        if bs[0] != 0x62 or (bs[1] & 7) not in (1, 3):
            continue
        h = ' '.join('%02x' % b for b in bs)
        if h in seen:
            continue
        seen.add(h)
        text = ' '.join(text.replace('{evex}', '').split())
        print('%s  # %s' % (h, text))
        n += 1
        firsts.setdefault((text.split()[0], bs[5] >> 6 == 3), (bs, text))
    for h, text in RAW:
        print('%s  # %s' % (h, text))
        seen.add(h)
        n += 1
    # Variants that llvm-mc never emits: W flipped (WIG forms are still valid), each other
    # L'L value (LIG scalars stay valid, length-restricted forms become #UD), z without a
    # mask, EVEX.b set, a mask where none is allowed, vvvv or V' naming a register where the
    # form has no vvvv operand. The decoder decides; the line says where it came from.
    for (mn, reg), (bs, text) in sorted(firsts.items()):
        for name, fn in MUTATIONS:
            v = fn(list(bs), reg)
            if not v:
                continue
            h = ' '.join('%02x' % b for b in v)
            if h in seen:
                continue
            seen.add(h)
            print('%s  # %s of: %s' % (h, name, text))
            n += 1
    print('%d lines, %d assembler errors' % (n, len(errs)), file=sys.stderr)


def _set(i, mask, val):
    def f(b, reg):
        if (b[i] & mask) == val:
            return None
        b[i] = (b[i] & ~mask & 0xff) | val
        return b
    return f


def _ll(v):
    def f(b, reg):
        if reg and b[3] & 0x10:
            return None  # L'L is the rounding control
        if v == 3 and not scalar_form(b):
            return None  # reserved for packed forms; a few samples are in RAW
        return _set(3, 0x60, v << 5)(b, reg)
    return f


def scalar_form(b):
    # pp F3/F2 in the arithmetic rows 51-5F, 2A-2F, 78-79, 7B; map 3 0A 0B 27 51 55 57 67
    mp, pp, op = b[1] & 7, b[2] & 3, b[4]
    if mp == 1:
        return (pp >= 2 and (0x51 <= op <= 0x5f and op != 0x5b or op in (0x10, 0x11, 0x2a, 0x2c, 0x2d, 0x78,
                                                          0x79, 0x7b, 0xc2))) or \
            (pp <= 1 and op in (0x2e, 0x2f))
    return op in (0x0a, 0x0b, 0x27, 0x51, 0x55, 0x57, 0x67) or (op == 0xc2 and pp == 2)


MUTATIONS = [
    ('W flipped', lambda b, reg: (b.__setitem__(2, b[2] ^ 0x80), b)[1]),
    ("L'L=0", _ll(0)), ("L'L=1", _ll(1)), ("L'L=2", _ll(2)), ("L'L=3", _ll(3)),
    ('z without mask', lambda b, reg: _set(3, 0x87, 0x80)(b, reg)),
    ('EVEX.b set', _set(3, 0x10, 0x10)),
    ('mask k1', lambda b, reg: _set(3, 0x07, 0x01)(b, reg) if not b[3] & 7 else None),
    ('vvvv=1', lambda b, reg: _set(2, 0x78, 0x70)(b, reg) if b[2] & 0x78 == 0x78 else None),
    ("V'=1", lambda b, reg: _set(3, 0x08, 0x00)(b, reg)),
]

# Encodings llvm-mc does not choose for any assembly text.
RAW = [
    ('62 f3 7d 08 15 c8 01', 'vpextrw $1, %xmm1, %eax (0F3A 15, register form)'),
    ('62 b3 7d 08 15 f9 07', 'vpextrw $7, %xmm23, %ecx (0F3A 15, register form)'),
    ('62 d3 fd 08 15 c9 02', 'vpextrw $2, %xmm1, %r9d (0F3A 15, register form, W1)'),
    ('62 f1 7d 08 c5 00 01', '#UD: VPEXTRW 0F C5 has no memory form'),
    ('62 f1 7c 48 2b c1', '#UD: VMOVNTPS has no register form'),
    ('62 f1 7d 48 e7 c1', '#UD: VMOVNTDQ has no register form'),
    ('62 f1 7c 08 13 c1', '#UD: VMOVLPS store has no register form'),
    ('62 f1 fd 08 12 c1', '#UD: VMOVLPD has no register form'),
    ('62 f1 fd 08 16 c1', '#UD: VMOVHPD has no register form'),
    ('62 f1 ed 48 f1 c9', 'vpsllw %xmm1, %zmm2, %zmm1 (WIG, W1)'),
    ('62 f1 ed 4a d1 48 01', 'vpsrlw 16(%rax), %zmm2, %zmm1 {%k2} (WIG, W1)'),
    ('62 e1 cd a9 e1 d1', 'vpsraw %xmm1, %ymm6, %ymm18 {%k1} {z} (WIG, W1)'),
    ('62 f1 7c 68 58 c1', "#UD: EVEX.L'L=3 is reserved (vaddps)"),
    ('62 f1 7d 68 6f 00', "#UD: EVEX.L'L=3 is reserved (vmovdqa32)"),
    ('62 f3 fd 68 00 c1 01', "#UD: EVEX.L'L=3 is reserved (vpermq)"),
    ('62 f3 7d 68 25 c1 01', "#UD: EVEX.L'L=3 is reserved (vpternlogd)"),
]


if __name__ == '__main__':
    main()
