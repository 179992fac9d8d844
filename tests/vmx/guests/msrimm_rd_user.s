.set MSR, 0x4b564d99
.set OP_WR, 0
.set VALUE, 0x1357
.include "msrimm_body.inc"
