#pragma once
// One bundle type for every stream between the synthesizable blocks: a valid/ready/data channel
// (Channel<T>), the ports that drive it (Out<T>) and take it (In<T>), each bound with one call, as
// matchlib's Connections::In/Out and ICSC's sct_initiator/sct_target bundle them. A pipeline that
// never stalls (a PE array) uses the same types with its ready left high.
//
// The bundles are modular interfaces (sc_module + sc_interface): ICSC flattens them into their
// parent with the member names prefixed (`ld_req` -> `ld_req_valid`, `ld_req_ready`,
// `ld_req_data`), and a plain record may not hold ports or signals in its subset.

#include <systemc>

namespace msqx::pe {

template <typename T>
struct Channel : sc_core::sc_module, sc_core::sc_interface {
  sc_core::sc_signal<bool> valid{"valid"};
  sc_core::sc_signal<bool> ready{"ready"};
  sc_core::sc_signal<T> data{"data"};
  explicit Channel(const sc_core::sc_module_name& name) : sc_module(name) {}
};

template <typename T>
struct Out : sc_core::sc_module, sc_core::sc_interface {
  sc_core::sc_out<bool> valid{"valid"};
  sc_core::sc_in<bool> ready{"ready"};
  sc_core::sc_out<T> data{"data"};
  explicit Out(const sc_core::sc_module_name& name) : sc_module(name) {}
  void Bind(Channel<T>& c) {
    valid(c.valid);
    ready(c.ready);
    data(c.data);
  }
};

template <typename T>
struct In : sc_core::sc_module, sc_core::sc_interface {
  sc_core::sc_in<bool> valid{"valid"};
  sc_core::sc_out<bool> ready{"ready"};
  sc_core::sc_in<T> data{"data"};
  explicit In(const sc_core::sc_module_name& name) : sc_module(name) {}
  void Bind(Channel<T>& c) {
    valid(c.valid);
    ready(c.ready);
    data(c.data);
  }
};

}  // namespace msqx::pe
