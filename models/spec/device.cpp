#include "models/spec/device.h"

namespace msqx::spec {

const char* ToString(DspKind kind) { return kind == DspKind::kDsp48E1 ? "DSP48E1" : "DSP48E2"; }

DspGeometry GeometryOf(DspKind kind) {
  return kind == DspKind::kDsp48E1 ? DspGeometry{25, 18, 48} : DspGeometry{27, 18, 48};
}

}  // namespace msqx::spec
