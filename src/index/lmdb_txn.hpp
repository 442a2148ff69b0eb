#pragma once
// LmdbTxn: an LMDB transaction that is aborted unless it was committed, so
// every early return of a reader or writer leaves the environment clean.
// Header-only; shared by the packet index and the alert store (the two LMDB
// environments of the daemon).
#include <lmdb.h>

namespace opensoc::index {

class LmdbTxn {
 public:
  LmdbTxn() = default;
  ~LmdbTxn() { abort(); }
  LmdbTxn(const LmdbTxn&) = delete;
  LmdbTxn& operator=(const LmdbTxn&) = delete;
  /// flags: 0 for a write transaction, MDB_RDONLY for a reader.
  int begin(MDB_env* env, unsigned flags = 0) noexcept { return mdb_txn_begin(env, nullptr, flags, &txn_); }
  void abort() noexcept {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
    txn_ = nullptr;
  }
  int commit() noexcept {
    const int rc = mdb_txn_commit(txn_);  // frees the txn even on failure
    txn_ = nullptr;
    return rc;
  }
  [[nodiscard]] MDB_txn* get() const noexcept { return txn_; }

 private:
  MDB_txn* txn_ = nullptr;
};

}  // namespace opensoc::index
