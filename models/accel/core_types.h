#pragma once
// The translation of the tile schedule into the pin-level core's registers, step commands and
// weight image (core_ports.h), shared by the cycle fidelity, the testbenches and the HLS export.

#include <cstdint>
#include <vector>

#include "models/accel/core_ports.h"
#include "models/accel/schedule.h"

namespace msqx::accel {

LayerRegs RegsOf(const LayerShape& l, int act_bits);

// Elements of one engine's weight pieces in a step: per row group, channel group and tap, the
// pieces that hold the group's filters, each piece_rows x cols codes.
std::int64_t PieceElements(const Step& s, const LayerShape& l, const CoreGeometry& core, bool dsp);

// The schedule's steps as commands, in schedule order, with each engine's weight pieces at their
// place in the weight image: per filter step and chunk, the DSP engine's pieces, then the LUT
// engine's (a block written once and read by every spatial tile).
std::vector<StepCmd> CommandsOf(const Schedule& s);

// Elements of the whole weight image (each filter step and chunk's pieces once).
std::int64_t WeightImageElements(const Schedule& s);

// The weight image the commands address: every filter step and chunk's pieces in the order the
// core loads them (og, channel group, tap, piece; a piece is piece_rows filters x cols channels,
// zeros where a filter or channel is absent). `codes` are the layer's weights, OHWI (I = 1 when
// depthwise). A deployment writes this layout once, offline, as it writes any packed weights.
std::vector<std::uint8_t> WeightImage(const Schedule& s, const std::vector<std::uint8_t>& codes);

}  // namespace msqx::accel
