#!/usr/bin/env python3
"""Writes vec_cases.inc: the instructions test_exec_vec.c runs natively and under apxemu.

Each case is assembled by llvm-mc-19 (the encodings are data in the repository; rerun this
script after editing the list). Conventions of the cases: xmm/ymm 0-3 and mm0-1 hold random
values, rax points to a 64-byte-aligned random data buffer, rcx/rdx/rbx/rsi/rdi are random
(small signed lengths in rax/rdx for the explicit-length string compares: kind LEN),
and the x87 stack is random (kind X87). Kind GATHER keeps the indices in ymm2 small.
usage: gen_vec_cases.py > vec_cases.inc
"""
import re
import subprocess
import sys

SSE, AVX, X87, LEN, GATHER = 1, 2, 4, 8, 16

cases = []


def add(kind, *lines):
    for line in lines:
        cases.append((kind, line))


fp = ['add', 'sub', 'mul', 'div', 'min', 'max']
for op in fp:
    for t in ['ps', 'pd', 'ss', 'sd']:
        add(SSE, f'{op}{t} %xmm1, %xmm0', f'{op}{t} (%rax), %xmm2')
        add(AVX, f'v{op}{t} %xmm1, %xmm2, %xmm0', f'v{op}{t} (%rax), %xmm3, %xmm1')
        if t in ('ps', 'pd'):
            add(AVX, f'v{op}{t} %ymm1, %ymm2, %ymm0', f'v{op}{t} (%rax), %ymm3, %ymm1')
for t in ['ps', 'pd', 'ss', 'sd']:
    add(SSE, f'sqrt{t} %xmm1, %xmm0', f'sqrt{t} (%rax), %xmm0')
    if t in ('ps', 'pd'):
        add(AVX, f'vsqrt{t} %ymm1, %ymm0')
    else:
        add(AVX, f'vsqrt{t} %xmm1, %xmm2, %xmm0')
    for k in range(8):
        add(SSE, f'cmp{t} ${k}, %xmm1, %xmm0')
    for k in (0, 5, 8, 11, 13, 17, 21, 24, 30, 31):
        if t in ('ps', 'pd'):
            add(AVX, f'vcmp{t} ${k}, %ymm1, %ymm2, %ymm0')
        else:
            add(AVX, f'vcmp{t} ${k}, %xmm1, %xmm2, %xmm0')
add(SSE, 'rcpps %xmm1, %xmm0', 'rcpss %xmm1, %xmm0', 'rsqrtps %xmm1, %xmm0',
    'rsqrtss %xmm1, %xmm0')
add(AVX, 'vrcpps %ymm1, %ymm0', 'vrsqrtss %xmm1, %xmm2, %xmm0')
for op in ['addsub', 'hadd', 'hsub']:
    for t in ['ps', 'pd']:
        add(SSE, f'{op}{t} %xmm1, %xmm0', f'{op}{t} (%rax), %xmm0')
        add(AVX, f'v{op}{t} %ymm1, %ymm2, %ymm0')
add(SSE, 'movsldup %xmm1, %xmm0', 'movshdup (%rax), %xmm0', 'movddup %xmm1, %xmm0',
    'movddup 8(%rax), %xmm0', 'lddqu 3(%rax), %xmm0')
add(AVX, 'vmovsldup %ymm1, %ymm0', 'vmovshdup %ymm1, %ymm0', 'vmovddup %ymm1, %ymm0',
    'vlddqu 5(%rax), %ymm0')
# conversions
for c in ['cvtps2pd', 'cvtpd2ps', 'cvtps2dq', 'cvtpd2dq', 'cvttps2dq', 'cvttpd2dq', 'cvtdq2ps',
          'cvtdq2pd', 'cvtss2sd', 'cvtsd2ss']:
    add(SSE, f'{c} %xmm1, %xmm0')
add(AVX, 'vcvtps2pd %xmm1, %ymm0', 'vcvtpd2ps %ymm1, %xmm0', 'vcvtps2dq %ymm1, %ymm0',
    'vcvttpd2dq %ymm1, %xmm0', 'vcvtdq2ps %ymm1, %ymm0', 'vcvtdq2pd %xmm1, %ymm0',
    'vcvtss2sd %xmm1, %xmm2, %xmm0', 'vcvtsd2ss %xmm1, %xmm2, %xmm0', 'vcvtpd2psy (%rax), %xmm0')
add(SSE, 'cvtsi2ss %ecx, %xmm0', 'cvtsi2sd %rcx, %xmm0', 'cvtsi2ssq %rcx, %xmm0',
    'cvtsi2sdl (%rax), %xmm0', 'cvtss2si %xmm1, %eax', 'cvtsd2si %xmm1, %rax',
    'cvttss2si %xmm1, %rax', 'cvttsd2si %xmm1, %eax', 'cvtsd2si (%rax), %ecx')
add(AVX, 'vcvtsi2sd %rcx, %xmm2, %xmm0', 'vcvttsd2si %xmm1, %rax')
for c in ['comiss', 'ucomiss', 'comisd', 'ucomisd']:
    add(SSE, f'{c} %xmm1, %xmm0', f'{c} (%rax), %xmm0')
    add(AVX, f'v{c} %xmm1, %xmm0')
for k in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15):
    add(SSE, f'roundps ${k}, %xmm1, %xmm0', f'roundsd ${k}, %xmm1, %xmm0')
add(SSE, 'roundpd $1, %xmm1, %xmm0', 'roundss $10, (%rax), %xmm0')
add(AVX, 'vroundps $9, %ymm1, %ymm0', 'vroundpd $2, %ymm1, %ymm0', 'vroundsd $4, %xmm1, %xmm2, %xmm0')
for k in (0xff, 0x31, 0xf1, 0x7c, 0x00, 0x93):
    add(SSE, f'dpps ${k}, %xmm1, %xmm0')
    add(AVX, f'vdpps ${k}, %ymm1, %ymm2, %ymm0')
for k in (0x33, 0x31, 0x12, 0xf3):
    add(SSE, f'dppd ${k}, %xmm1, %xmm0')
# integer
ints = ['paddb', 'paddw', 'paddd', 'paddq', 'psubb', 'psubw', 'psubd', 'psubq', 'paddsb', 'paddsw',
        'paddusb', 'paddusw', 'psubsb', 'psubsw', 'psubusb', 'psubusw', 'pcmpeqb', 'pcmpeqw',
        'pcmpeqd', 'pcmpeqq', 'pcmpgtb', 'pcmpgtw', 'pcmpgtd', 'pcmpgtq', 'pminub', 'pminuw',
        'pminud', 'pmaxub', 'pmaxuw', 'pmaxud', 'pminsb', 'pminsw', 'pminsd', 'pmaxsb', 'pmaxsw',
        'pmaxsd', 'pavgb', 'pavgw', 'pand', 'pandn', 'por', 'pxor', 'pmullw', 'pmulld', 'pmulhw',
        'pmulhuw', 'pmulhrsw', 'psignb', 'psignw', 'psignd', 'pmuludq', 'pmuldq', 'pmaddwd',
        'pmaddubsw', 'psadbw', 'phaddw', 'phaddd', 'phaddsw', 'phsubw', 'phsubd', 'phsubsw',
        'packsswb', 'packssdw', 'packuswb', 'packusdw', 'punpcklbw', 'punpcklwd', 'punpckldq',
        'punpcklqdq', 'punpckhbw', 'punpckhwd', 'punpckhdq', 'punpckhqdq', 'unpcklps', 'unpcklpd',
        'unpckhps', 'unpckhpd', 'pshufb', 'psllw', 'pslld', 'psllq', 'psrlw', 'psrld', 'psrlq',
        'psraw', 'psrad', 'andps', 'andnpd', 'orps', 'xorpd']
mmx = {'paddb', 'psubsw', 'pcmpgtd', 'pmaddwd', 'psadbw', 'pshufb', 'phaddw', 'phsubsw',
       'pmaddubsw', 'pmulhrsw', 'psignb', 'pavgb', 'packsswb', 'punpckhbw', 'psrlq', 'psraw'}
for i in ints:
    add(SSE, f'{i} %xmm1, %xmm0', f'{i} (%rax), %xmm2')
    if i in mmx:
        add(SSE, f'{i} %mm1, %mm0')
    if i.startswith('ps') and i[2] in 'lr' and i not in ('psadbw',) and not i.startswith('psign'):
        add(AVX, f'v{i} %xmm1, %ymm2, %ymm0', f'v{i} %xmm1, %xmm2, %xmm0')
        add(SSE, f'{i} $3, %xmm0', f'{i} $17, %xmm1')
        add(AVX, f'v{i} $5, %ymm2, %ymm0')
    else:
        add(AVX, f'v{i} %ymm1, %ymm2, %ymm0', f'v{i} (%rax), %xmm3, %xmm1')
for i in ['pabsb', 'pabsw', 'pabsd']:
    add(SSE, f'{i} %xmm1, %xmm0', f'{i} %mm1, %mm0')
    add(AVX, f'v{i} %ymm1, %ymm0')
for k in (0, 1, 5, 15, 16, 17, 31, 32, 200):
    add(SSE, f'palignr ${k}, %xmm1, %xmm0')
    add(AVX, f'vpalignr ${k}, %ymm1, %ymm2, %ymm0')
add(SSE, 'palignr $3, %mm1, %mm0', 'palignr $9, %mm1, %mm0')
for k in (0x1b, 0xe4, 0x4e, 0x00):
    add(SSE, f'pshufd ${k}, %xmm1, %xmm0', f'pshuflw ${k}, %xmm1, %xmm0',
        f'pshufhw ${k}, (%rax), %xmm0', f'shufps ${k}, %xmm1, %xmm0', f'shufpd ${k & 3}, %xmm1, %xmm0')
    add(AVX, f'vpshufd ${k}, %ymm1, %ymm0', f'vshufps ${k}, %ymm1, %ymm2, %ymm0',
        f'vshufpd ${k & 15}, %ymm1, %ymm2, %ymm0', f'vpshufhw ${k}, %ymm1, %ymm0')
add(SSE, 'pslldq $3, %xmm0', 'psrldq $7, %xmm1', 'psrldq $20, %xmm1')
add(AVX, 'vpslldq $3, %ymm1, %ymm0', 'vpsrldq $9, %ymm1, %ymm0')
for w in ['bw', 'bd', 'bq', 'wd', 'wq', 'dq']:
    for s in ['sx', 'zx']:
        add(SSE, f'pmov{s}{w} %xmm1, %xmm0', f'pmov{s}{w} (%rax), %xmm0')
        add(AVX, f'vpmov{s}{w} %xmm1, %ymm0', f'vpmov{s}{w} (%rax), %ymm1')
add(SSE, 'pblendvb %xmm0, %xmm1, %xmm2', 'blendvps %xmm0, %xmm1, %xmm2',
    'blendvpd %xmm0, (%rax), %xmm2', 'ptest %xmm1, %xmm0', 'ptest (%rax), %xmm2',
    'phminposuw %xmm1, %xmm0', 'movntdqa (%rax), %xmm0')
add(AVX, 'vpblendvb %ymm3, %ymm1, %ymm2, %ymm0', 'vblendvps %ymm3, %ymm1, %ymm2, %ymm0',
    'vblendvpd %xmm3, %xmm1, %xmm2, %xmm0', 'vptest %ymm1, %ymm0', 'vptest %xmm1, %xmm0',
    'vtestps %ymm1, %ymm0', 'vtestpd %xmm1, %xmm0', 'vphminposuw %xmm1, %xmm0')
for k in (0x00, 0xff, 0xa5, 0x3c):
    add(SSE, f'blendps ${k & 15}, %xmm1, %xmm0', f'blendpd ${k & 3}, %xmm1, %xmm0',
        f'pblendw ${k}, %xmm1, %xmm0')
    add(AVX, f'vblendps ${k}, %ymm1, %ymm2, %ymm0', f'vpblendw ${k}, %ymm1, %ymm2, %ymm0',
        f'vpblendd ${k}, %ymm1, %ymm2, %ymm0', f'vblendpd ${k & 15}, %ymm1, %ymm2, %ymm0')
for k in (0, 1, 3, 5, 7, 0x2d, 0x3f):
    add(SSE, f'mpsadbw ${k & 7}, %xmm1, %xmm0')
    add(AVX, f'vmpsadbw ${k}, %ymm1, %ymm2, %ymm0')
for k in (0, 1, 3, 7, 13, 15):
    add(SSE, f'pextrb ${k}, %xmm1, %eax', f'pextrb ${k}, %xmm1, (%rax)',
        f'pinsrb ${k}, %ecx, %xmm0', f'pinsrb ${k}, (%rax), %xmm0', f'pextrw ${k & 7}, %xmm1, (%rax)')
    add(SSE, f'pextrd ${k & 3}, %xmm1, %eax', f'pextrq ${k & 1}, %xmm1, %rax',
        f'pinsrd ${k & 3}, %ecx, %xmm0', f'pinsrq ${k & 1}, %rcx, %xmm0',
        f'extractps ${k & 3}, %xmm1, %eax', f'extractps ${k & 3}, %xmm1, (%rax)',
        f'pinsrw ${k & 7}, %ecx, %xmm0', f'pextrw ${k & 7}, %xmm1, %ecx')
    add(AVX, f'vpextrb ${k}, %xmm1, %eax', f'vpinsrd ${k & 3}, %ecx, %xmm2, %xmm0',
        f'vpinsrb ${k}, (%rax), %xmm2, %xmm0', f'vpextrq ${k & 1}, %xmm1, (%rax)')
for k in (0x00, 0x1d, 0x4e, 0xb3, 0xf0, 0x38):
    add(SSE, f'insertps ${k}, %xmm1, %xmm0', f'insertps ${k}, (%rax), %xmm0')
    add(AVX, f'vinsertps ${k}, %xmm1, %xmm2, %xmm0')
for k in (0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0c, 0x0d, 0x10, 0x14, 0x18, 0x1a, 0x30, 0x34,
          0x38, 0x3a, 0x40, 0x44, 0x48, 0x4c, 0x4e, 0x70, 0x7c, 0x06, 0x0b, 0x19):
    add(SSE | LEN, f'pcmpestri ${k}, %xmm1, %xmm0', f'pcmpestrm ${k}, %xmm3, %xmm2')
    add(SSE, f'pcmpistri ${k}, %xmm1, %xmm2', f'pcmpistrm ${k}, (%rax), %xmm3')
add(AVX | LEN, 'vpcmpestri $0x0c, %xmm1, %xmm0', 'vpcmpestrm $0x44, %xmm1, %xmm0')
add(AVX, 'vpcmpistri $0x1a, %xmm1, %xmm0', 'vpcmpistrm $0x40, %xmm1, %xmm2')
add(SSE, 'movq2dq %mm1, %xmm0', 'movdq2q %xmm1, %mm0', 'movntq %mm1, (%rax)',
    'movnti %ecx, 4(%rax)', 'emms')
# AVX / AVX2
add(AVX, 'vmovdqu (%rax), %ymm0', 'vmovdqu %ymm1, 32(%rax)', 'vmovdqa %ymm1, %ymm0',
    'vmovups 1(%rax), %xmm0', 'vmovaps %xmm1, %xmm0', 'vmovapd %ymm2, (%rax)',
    'vmovd %ecx, %xmm0', 'vmovq %rcx, %xmm0', 'vmovd %xmm1, %eax', 'vmovq %xmm1, %rcx',
    'vmovq (%rax), %xmm0', 'vmovq %xmm1, %xmm0', 'vmovq %xmm2, 8(%rax)',
    'vmovss (%rax), %xmm0', 'vmovsd %xmm1, %xmm2, %xmm0', 'vmovss %xmm1, 4(%rax)',
    'vmovlps (%rax), %xmm2, %xmm0', 'vmovhpd 8(%rax), %xmm2, %xmm0', 'vmovhps %xmm1, (%rax)',
    'vmovhlps %xmm1, %xmm2, %xmm0', 'vmovlhps %xmm1, %xmm2, %xmm0',
    'vpmovmskb %ymm1, %eax', 'vpmovmskb %xmm1, %ecx', 'vmovmskps %ymm1, %eax',
    'vmovmskpd %xmm1, %eax', 'vzeroupper', 'vzeroall',
    'vbroadcastss (%rax), %ymm0', 'vbroadcastss %xmm1, %ymm0', 'vbroadcastsd %xmm1, %ymm0',
    'vbroadcastf128 (%rax), %ymm0', 'vbroadcasti128 (%rax), %ymm0',
    'vpbroadcastb %xmm1, %ymm0', 'vpbroadcastw (%rax), %xmm0', 'vpbroadcastd %xmm1, %ymm0',
    'vpbroadcastq %xmm1, %ymm0', 'vpermd %ymm1, %ymm2, %ymm0', 'vpermps (%rax), %ymm2, %ymm0',
    'vpermq $0x1b, %ymm1, %ymm0', 'vpermpd $0x72, %ymm1, %ymm0',
    'vperm2i128 $0x21, %ymm1, %ymm2, %ymm0', 'vperm2f128 $0x83, %ymm1, %ymm2, %ymm0',
    'vperm2i128 $0x30, %ymm1, %ymm2, %ymm0', 'vinserti128 $1, %xmm1, %ymm2, %ymm0',
    'vinsertf128 $0, (%rax), %ymm2, %ymm0', 'vextracti128 $1, %ymm1, %xmm0',
    'vextractf128 $1, %ymm1, (%rax)', 'vpermilps $0x1b, %ymm1, %ymm0',
    'vpermilpd $0x5, %ymm1, %ymm0', 'vpermilps %ymm1, %ymm2, %ymm0',
    'vpermilpd %xmm1, %xmm2, %xmm0', 'vpsllvd %ymm1, %ymm2, %ymm0',
    'vpsllvq %xmm1, %xmm2, %xmm0', 'vpsrlvd %ymm1, %ymm2, %ymm0', 'vpsrlvq %ymm1, %ymm2, %ymm0',
    'vpsravd %ymm1, %ymm2, %ymm0', 'vmaskmovps (%rax), %ymm1, %ymm0',
    'vmaskmovpd %ymm2, %ymm1, (%rax)', 'vpmaskmovd (%rax), %xmm1, %xmm0',
    'vpmaskmovq %ymm2, %ymm1, (%rax)', 'vpandn %ymm1, %ymm2, %ymm0', 'vxorps %ymm1, %ymm1, %ymm1')
add(AVX | GATHER, 'vpgatherdd %ymm3, (%rax,%ymm2,4), %ymm0',
    'vgatherdpd %xmm3, 8(%rax,%xmm2,8), %xmm0', 'vpgatherqq %ymm3, (%rax,%ymm2,2), %ymm0',
    'vgatherqps %xmm3, (%rax,%ymm2,4), %xmm0', 'vpgatherdq %ymm3, (%rax,%xmm2,1), %ymm0')
# x87
for op in ['fadd', 'fmul', 'fsub', 'fsubr', 'fdiv', 'fdivr']:
    add(X87, f'{op} %st(1), %st', f'{op} %st, %st(2)', f'{op}p %st, %st(3)',
        f'{op}s (%rax)', f'{op}l (%rax)', f'fi{op[1:]}l (%rax)'.replace('fiadd', 'fiadd'),
        f'fi{op[1:]}s 2(%rax)')
add(X87, 'fld %st(3)', 'flds (%rax)', 'fldl (%rax)', 'fldt (%rax)', 'fst %st(2)', 'fstp %st(1)',
    'fsts (%rax)', 'fstl (%rax)', 'fstps (%rax)', 'fstpl (%rax)', 'fstpt (%rax)',
    'filds (%rax)', 'fildl (%rax)', 'fildll (%rax)', 'fists (%rax)', 'fistl (%rax)',
    'fistps (%rax)', 'fistpl (%rax)', 'fistpll (%rax)', 'fisttps (%rax)', 'fisttpl (%rax)',
    'fisttpll (%rax)', 'fbld (%rax)', 'fbstp (%rax)', 'fxch %st(3)', 'fchs', 'fabs', 'ftst',
    'fxam', 'fld1', 'fldz', 'fldpi', 'fldl2e', 'fldl2t', 'fldlg2', 'fldln2', 'f2xm1', 'fyl2x',
    'fptan', 'fpatan', 'fxtract', 'fprem', 'fprem1', 'fyl2xp1', 'fsqrt', 'fsincos', 'frndint',
    'fscale', 'fsin', 'fcos', 'fcom %st(1)', 'fcomp %st(2)', 'fcompp', 'fucom %st(1)',
    'fucomp %st(3)', 'fucompp', 'fcoms (%rax)', 'fcompl (%rax)', 'ficoms (%rax)',
    'ficompl (%rax)', 'fcomi %st(1), %st', 'fucomi %st(2), %st', 'fcomip %st(1), %st',
    'fucomip %st(3), %st', 'fcmovb %st(1), %st', 'fcmove %st(2), %st', 'fcmovbe %st(1), %st',
    'fcmovu %st(1), %st', 'fcmovnb %st(3), %st', 'fcmovne %st(1), %st', 'fcmovnbe %st(2), %st',
    'fcmovnu %st(1), %st', 'ffree %st(2)', 'fdecstp', 'fincstp', 'fnop', 'fnclex', 'fninit',
    'fnstsw %ax', 'fnstcw (%rax)', 'fldcw (%rax)', 'fnstenv (%rax)', 'fnsave (%rax)')


def assemble(lines):
    src = '\n'.join(lines) + '\n'
    out = subprocess.run(['llvm-mc-19', '--show-encoding', '-mattr=+avx2,+sse4.2'],
                         input=src, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    encs = []
    for line in out.stdout.splitlines():
        m = re.search(r'encoding: \[([^\]]*)\]', line)
        if m:
            encs.append([int(x, 16) for x in m.group(1).split(',')])
    if len(encs) != len(lines):
        sys.exit('assembled %d of %d lines' % (len(encs), len(lines)))
    return encs


encs = assemble([c[1] for c in cases])
print('/* Generated by gen_vec_cases.py from its list; do not edit. */')
for (kind, text), enc in zip(cases, encs):
    names = [n for n, b in (('K_SSE', SSE), ('K_AVX', AVX), ('K_X87', X87), ('K_LEN', LEN),
                            ('K_GATHER', GATHER)) if kind & b]
    print('{"%s", %s, %d, {%s}},' % (text, ' | '.join(names), len(enc),
                                     ', '.join('0x%02x' % b for b in enc)))
