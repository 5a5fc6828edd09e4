// A batch x (n, K) listed by its non-zero entries, once per step, for the step's two big products: MNIST
// pixels are about 81% zero, so products that walk only the listed entries do a fifth of the dense work.
// By row for the forward pass x W1 (row r's columns k, ascending, with their values) and by column for the
// weight gradient x^T G (column k's rows r, ascending, with their values). Lists keep the order of the
// dense sums, so the sparse products give the dense reference's results up to the sign of a zero.
// Every list has a fixed stride: rows can be listed independently (by threads) and nothing is allocated
// after construction.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnist::kernels {

// A pixel byte's unit: listed values are byte x this float, as u8_to_unit_f32 converts them.
inline constexpr float kPixelUnit = 1.0f / 255.0f;

// Only a training step lists by column, so the column lists have their own capacity (the training batch),
// and a forward-only user (evaluation, predictions) passes 0 for them.
struct SparseBatch {
  // Row lists also record where each block of kBlock columns starts, so that threads listing by column
  // a range of columns start each row's walk there, without searching.
  static constexpr int kBlock = 16;
  int capacity = 0;                  // rows listed by row
  int col_capacity = 0;              // rows listed by column
  int K = 0;                         // columns
  std::vector<int> row_count;        // (capacity)
  std::vector<int> row_k;            // (capacity, K): row r's listed columns from r K
  std::vector<float> row_x;          // (capacity, K): their values
  std::vector<int> row_block_start;  // (capacity, blocks()): row r's list index of its first k >= kBlock b
  // A column's listed row and its value side by side: a column's few rows (6 on average in an MNIST batch
  // of 32) then take about half the cache lines of separate arrays of rows and values.
  struct ColumnEntry {
    int r;
    float x;
  };
  std::vector<int> col_count;    // (K)
  std::vector<ColumnEntry> col;  // (K, col_capacity): column k's listed rows from k col_capacity

  SparseBatch(int capacity_, int K_, int col_capacity_ = -1)
      : capacity(capacity_),
        col_capacity(col_capacity_ < 0 ? capacity_ : col_capacity_),
        K(K_),
        row_count(capacity_),
        row_k(std::size_t(capacity_) * K_),
        row_x(row_k.size()),
        row_block_start(std::size_t(capacity_) * blocks()),
        col_count(K_),
        col(std::size_t(K_) * col_capacity) {}

  int blocks() const { return (K + kBlock - 1) / kBlock; }
  int* block_starts_of_row(int r) { return row_block_start.data() + std::size_t(r) * blocks(); }
  const int* block_starts_of_row(int r) const { return row_block_start.data() + std::size_t(r) * blocks(); }
  const int* ks_of_row(int r) const { return row_k.data() + std::size_t(r) * K; }
  const float* xs_of_row(int r) const { return row_x.data() + std::size_t(r) * K; }
  const ColumnEntry* of_col(int k) const { return col.data() + std::size_t(k) * col_capacity; }
};

namespace ref {
// Lists rows [r_begin, r_end) of x (rows, K) by row. Branch-free: every k is written, only the non-zero
// ones advance the count, so the unpredictable pixel pattern costs no mispredicted branches.
inline void list_rows(const float* x, int r_begin, int r_end, SparseBatch& s) {
  const int K = s.K;
  for (int r = r_begin; r < r_end; ++r) {
    const float* xr = x + std::size_t(r) * K;
    int* ks = s.row_k.data() + std::size_t(r) * K;
    float* xs = s.row_x.data() + std::size_t(r) * K;
    int* starts = s.block_starts_of_row(r);
    int count = 0;
    for (int k = 0; k < K; ++k) {
      if (k % SparseBatch::kBlock == 0) starts[k / SparseBatch::kBlock] = count;
      ks[count] = k;
      xs[count] = xr[k];
      count += xr[k] != 0.0f;
    }
    s.row_count[r] = count;
  }
}

// Lists row r from its image's uint8 pixels, each times unit: by default the float 1/255 as
// u8_to_unit_f32 does, giving the lists of u8_to_unit_f32 then list_rows without the float row in between.
// (The sparse step also lists with W1Slabs::scale() folded in.)
inline void list_row_u8(const std::uint8_t* pixels, int r, SparseBatch& s, float unit = kPixelUnit) {
  const int K = s.K;
  int* ks = s.row_k.data() + std::size_t(r) * K;
  float* xs = s.row_x.data() + std::size_t(r) * K;
  int* starts = s.block_starts_of_row(r);
  int count = 0;
  for (int k = 0; k < K; ++k) {
    if (k % SparseBatch::kBlock == 0) starts[k / SparseBatch::kBlock] = count;
    ks[count] = k;
    xs[count] = static_cast<float>(pixels[k]) * unit;
    count += pixels[k] != 0;
  }
  s.row_count[r] = count;
}
}  // namespace ref

// Lists rows [0, n) by column, for the columns [k_begin, k_end) (k_end < 0: K; threads split the
// columns), from their row lists (list_rows first): rows in ascending order because they are walked in
// order, each from its first listed k >= k_begin (found from the start of k_begin's block). Each value is
// the row list's times gain (1: the same bits; the sparse step's W1Slabs::Decay otherwise).
inline void list_columns(int n, SparseBatch& s, int k_begin = 0, int k_end = -1, float gain = 1.0f) {
  assert(n <= s.col_capacity);
  if (k_end < 0) k_end = s.K;
  if (k_begin >= k_end) return;
  for (int k = k_begin; k < k_end; ++k) s.col_count[k] = 0;
  for (int r = 0; r < n; ++r) {
    const int* ks = s.ks_of_row(r);
    const float* xs = s.xs_of_row(r);
    const int count = s.row_count[r];
    int t = s.block_starts_of_row(r)[k_begin / SparseBatch::kBlock];
    while (t < count && ks[t] < k_begin) ++t;
    for (; t < count && ks[t] < k_end; ++t) {
      const int k = ks[t];
      s.col[std::size_t(k) * s.col_capacity + s.col_count[k]++] = {r, xs[t] * gain};
    }
  }
}

}  // namespace mnist::kernels
