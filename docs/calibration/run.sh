#!/bin/sh
# Synthesises the calibration modules with Yosys for 7-series (xc7) and UltraScale+ (xcup) and
# writes results.tsv: family, module, flags, LUTs (all LUT1..LUT6), FFs, CARRY cells, DSPs, MUXF.
# Usage: sh run.sh   (from docs/calibration; needs yosys, Debian package "yosys")
set -e
cd "$(dirname "$0")"
python3 gen_tree.py 4 8 >/dev/null
python3 gen_tree.py 8 8 >/dev/null
python3 gen_tree.py 16 8 >/dev/null
python3 gen_tree.py 16 12 >/dev/null
python3 gen_tree.py 32 9 >/dev/null
for t in "4 8" "16 8" "16 12" "24 9"; do python3 gen_tree.py $t p >/dev/null; done
out=results.tsv
printf 'family\tmodule\tflags\tlut\tff\tcarry\tdsp\tmuxf\n' > $out
run() {  # family file top flags chparams
  log=$(yosys -q -p "read_verilog $2; $5 synth_xilinx -family $1 -top $3 $4; tee -o /dev/stdout stat" 2>&1)
  lut=$(echo "$log" | awk '/ LUT[1-6] /{s+=$2} END{print s+0}')
  ff=$(echo "$log" | awk '/ FD[A-Z]* /{s+=$2} END{print s+0}')
  carry=$(echo "$log" | awk '/ CARRY[48] /{s+=$2} END{print s+0}')
  dsp=$(echo "$log" | awk '/ DSP48/{s+=$2} END{print s+0}')
  muxf=$(echo "$log" | awk '/ MUXF[78] /{s+=$2} END{print s+0}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$3" "$4 $5" "$lut" "$ff" "$carry" "$dsp" "$muxf" >> $out
}
for fam in xc7 xcup; do
  run $fam sp2_mul4.v sp2_mul4 ""
  run $fam sp2_mac4.v sp2_mac4 ""
  run $fam fixed_mul4.v fixed_mul4 "-nodsp"
  run $fam fixed_mac4.v fixed_mac4 "-nodsp"
  run $fam fixed_mac4.v fixed_mac4 ""
  run $fam accumulator.v accumulator "" "chparam -set W 12 -set A 24 accumulator;"
  run $fam accumulator.v accumulator "" "chparam -set W 9 -set A 16 accumulator;"
  for t in n4_w8 n8_w8 n16_w8 n16_w12 n32_w9 n4_w8_p n16_w8_p n16_w12_p n24_w9_p; do run $fam adder_tree_$t.v adder_tree_$t ""; done
done
cat $out
