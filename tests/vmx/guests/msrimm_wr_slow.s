.set MSR, 0x3b
.set OP_WR, 1
.set VALUE, 0x1357
.include "msrimm_body.inc"
