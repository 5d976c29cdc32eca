"""Reading a kernel's entry points and launch knobs from PTX."""

from __future__ import annotations

from evaluators.cuda.ptx import read_ptx

PTX = """
.version 8.8
.target sm_80
.global .align 4 .u32 kThreads = 256;
.const .align 4 .u32 THREADS = 256;
.visible .const .align 4 .b32 NEGATIVE = 4294967293;
.const .align 4 .s32 SIGNED = -7;
.const .align 4 .u32 UNSET;

.visible .entry softmax(
	.param .u64 softmax_param_0,
	.param .u64 softmax_param_1,
	.param .u32 softmax_param_2,
	.param .f32 softmax_param_3
)
{
	ret;
}
.entry by_value(
	.param .align 4 .b8 by_value_param_0[16]
)
{
	ret;
}
"""


def test_entries_list_parameter_kinds_in_order() -> None:
    info = read_ptx(PTX)
    assert info.entries == {"softmax": ["u64", "u64", "u32", "f32"], "by_value": ["b8[16]"]}


def test_constants_are_read_signed_and_globals_are_not_knobs() -> None:
    info = read_ptx(PTX)
    assert info.constants == {"THREADS": 256, "NEGATIVE": -3, "SIGNED": -7, "UNSET": None}
