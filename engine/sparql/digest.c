/* Message digests for SPARQL's MD5, SHA1, SHA256, SHA384 and SHA512:
 * written from RFC 1321 and FIPS 180-4. The SHA round constants are the
 * fractional parts of square and cube roots of the first primes, as the
 * standard defines them. */
#include "eval.h"

#include <math.h>
#include <string.h>

static const uint32_t k256[64] = {
    UINT32_C(0x428a2f98), UINT32_C(0x71374491), UINT32_C(0xb5c0fbcf),
    UINT32_C(0xe9b5dba5), UINT32_C(0x3956c25b), UINT32_C(0x59f111f1),
    UINT32_C(0x923f82a4), UINT32_C(0xab1c5ed5), UINT32_C(0xd807aa98),
    UINT32_C(0x12835b01), UINT32_C(0x243185be), UINT32_C(0x550c7dc3),
    UINT32_C(0x72be5d74), UINT32_C(0x80deb1fe), UINT32_C(0x9bdc06a7),
    UINT32_C(0xc19bf174), UINT32_C(0xe49b69c1), UINT32_C(0xefbe4786),
    UINT32_C(0x0fc19dc6), UINT32_C(0x240ca1cc), UINT32_C(0x2de92c6f),
    UINT32_C(0x4a7484aa), UINT32_C(0x5cb0a9dc), UINT32_C(0x76f988da),
    UINT32_C(0x983e5152), UINT32_C(0xa831c66d), UINT32_C(0xb00327c8),
    UINT32_C(0xbf597fc7), UINT32_C(0xc6e00bf3), UINT32_C(0xd5a79147),
    UINT32_C(0x06ca6351), UINT32_C(0x14292967), UINT32_C(0x27b70a85),
    UINT32_C(0x2e1b2138), UINT32_C(0x4d2c6dfc), UINT32_C(0x53380d13),
    UINT32_C(0x650a7354), UINT32_C(0x766a0abb), UINT32_C(0x81c2c92e),
    UINT32_C(0x92722c85), UINT32_C(0xa2bfe8a1), UINT32_C(0xa81a664b),
    UINT32_C(0xc24b8b70), UINT32_C(0xc76c51a3), UINT32_C(0xd192e819),
    UINT32_C(0xd6990624), UINT32_C(0xf40e3585), UINT32_C(0x106aa070),
    UINT32_C(0x19a4c116), UINT32_C(0x1e376c08), UINT32_C(0x2748774c),
    UINT32_C(0x34b0bcb5), UINT32_C(0x391c0cb3), UINT32_C(0x4ed8aa4a),
    UINT32_C(0x5b9cca4f), UINT32_C(0x682e6ff3), UINT32_C(0x748f82ee),
    UINT32_C(0x78a5636f), UINT32_C(0x84c87814), UINT32_C(0x8cc70208),
    UINT32_C(0x90befffa), UINT32_C(0xa4506ceb), UINT32_C(0xbef9a3f7),
    UINT32_C(0xc67178f2),
};
static const uint32_t h256[8] = {
    UINT32_C(0x6a09e667), UINT32_C(0xbb67ae85), UINT32_C(0x3c6ef372),
    UINT32_C(0xa54ff53a), UINT32_C(0x510e527f), UINT32_C(0x9b05688c),
    UINT32_C(0x1f83d9ab), UINT32_C(0x5be0cd19),
};
static const uint64_t k512[80] = {
    UINT64_C(0x428a2f98d728ae22), UINT64_C(0x7137449123ef65cd),
    UINT64_C(0xb5c0fbcfec4d3b2f), UINT64_C(0xe9b5dba58189dbbc),
    UINT64_C(0x3956c25bf348b538), UINT64_C(0x59f111f1b605d019),
    UINT64_C(0x923f82a4af194f9b), UINT64_C(0xab1c5ed5da6d8118),
    UINT64_C(0xd807aa98a3030242), UINT64_C(0x12835b0145706fbe),
    UINT64_C(0x243185be4ee4b28c), UINT64_C(0x550c7dc3d5ffb4e2),
    UINT64_C(0x72be5d74f27b896f), UINT64_C(0x80deb1fe3b1696b1),
    UINT64_C(0x9bdc06a725c71235), UINT64_C(0xc19bf174cf692694),
    UINT64_C(0xe49b69c19ef14ad2), UINT64_C(0xefbe4786384f25e3),
    UINT64_C(0x0fc19dc68b8cd5b5), UINT64_C(0x240ca1cc77ac9c65),
    UINT64_C(0x2de92c6f592b0275), UINT64_C(0x4a7484aa6ea6e483),
    UINT64_C(0x5cb0a9dcbd41fbd4), UINT64_C(0x76f988da831153b5),
    UINT64_C(0x983e5152ee66dfab), UINT64_C(0xa831c66d2db43210),
    UINT64_C(0xb00327c898fb213f), UINT64_C(0xbf597fc7beef0ee4),
    UINT64_C(0xc6e00bf33da88fc2), UINT64_C(0xd5a79147930aa725),
    UINT64_C(0x06ca6351e003826f), UINT64_C(0x142929670a0e6e70),
    UINT64_C(0x27b70a8546d22ffc), UINT64_C(0x2e1b21385c26c926),
    UINT64_C(0x4d2c6dfc5ac42aed), UINT64_C(0x53380d139d95b3df),
    UINT64_C(0x650a73548baf63de), UINT64_C(0x766a0abb3c77b2a8),
    UINT64_C(0x81c2c92e47edaee6), UINT64_C(0x92722c851482353b),
    UINT64_C(0xa2bfe8a14cf10364), UINT64_C(0xa81a664bbc423001),
    UINT64_C(0xc24b8b70d0f89791), UINT64_C(0xc76c51a30654be30),
    UINT64_C(0xd192e819d6ef5218), UINT64_C(0xd69906245565a910),
    UINT64_C(0xf40e35855771202a), UINT64_C(0x106aa07032bbd1b8),
    UINT64_C(0x19a4c116b8d2d0c8), UINT64_C(0x1e376c085141ab53),
    UINT64_C(0x2748774cdf8eeb99), UINT64_C(0x34b0bcb5e19b48a8),
    UINT64_C(0x391c0cb3c5c95a63), UINT64_C(0x4ed8aa4ae3418acb),
    UINT64_C(0x5b9cca4f7763e373), UINT64_C(0x682e6ff3d6b2b8a3),
    UINT64_C(0x748f82ee5defb2fc), UINT64_C(0x78a5636f43172f60),
    UINT64_C(0x84c87814a1f0ab72), UINT64_C(0x8cc702081a6439ec),
    UINT64_C(0x90befffa23631e28), UINT64_C(0xa4506cebde82bde9),
    UINT64_C(0xbef9a3f7b2c67915), UINT64_C(0xc67178f2e372532b),
    UINT64_C(0xca273eceea26619c), UINT64_C(0xd186b8c721c0c207),
    UINT64_C(0xeada7dd6cde0eb1e), UINT64_C(0xf57d4f7fee6ed178),
    UINT64_C(0x06f067aa72176fba), UINT64_C(0x0a637dc5a2c898a6),
    UINT64_C(0x113f9804bef90dae), UINT64_C(0x1b710b35131c471b),
    UINT64_C(0x28db77f523047d84), UINT64_C(0x32caab7b40c72493),
    UINT64_C(0x3c9ebe0a15c9bebc), UINT64_C(0x431d67c49c100d4c),
    UINT64_C(0x4cc5d4becb3e42b6), UINT64_C(0x597f299cfc657e2a),
    UINT64_C(0x5fcb6fab3ad6faec), UINT64_C(0x6c44198c4a475817),
};
static const uint64_t h512[8] = {
    UINT64_C(0x6a09e667f3bcc908), UINT64_C(0xbb67ae8584caa73b),
    UINT64_C(0x3c6ef372fe94f82b), UINT64_C(0xa54ff53a5f1d36f1),
    UINT64_C(0x510e527fade682d1), UINT64_C(0x9b05688c2b3e6c1f),
    UINT64_C(0x1f83d9abfb41bd6b), UINT64_C(0x5be0cd19137e2179),
};
static const uint64_t h384[8] = {
    UINT64_C(0xcbbb9d5dc1059ed8), UINT64_C(0x629a292a367cd507),
    UINT64_C(0x9159015a3070dd17), UINT64_C(0x152fecd8f70e5939),
    UINT64_C(0x67332667ffc00b31), UINT64_C(0x8eb44a8768581511),
    UINT64_C(0xdb0c2e0d64f98fa7), UINT64_C(0x47b5481dbefa4fa4),
};

static uint32_t rol32(uint32_t x, unsigned n)
{
  return (x << n) | (x >> (32 - n));
}

static uint32_t ror32(uint32_t x, unsigned n)
{
  return (x >> n) | (x << (32 - n));
}

static uint64_t ror64(uint64_t x, unsigned n)
{
  return (x >> n) | (x << (64 - n));
}

static void hex(const unsigned char *d, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[d[i] >> 4];
    out[2 * i + 1] = digits[d[i] & 15];
  }
  out[2 * n] = '\0';
}

/* Feed `data` and the standard padding to `block` in chunks of `bs` bytes;
 * the message length in bits goes last, in `lenbytes` bytes, little- or
 * big-endian. */
static void pad_and_run(const unsigned char *data,
                        size_t len,
                        size_t bs,
                        size_t lenbytes,
                        bool little,
                        void (*block)(void *st, const unsigned char *b),
                        void *st)
{
  size_t full = len / bs;
  for (size_t i = 0; i < full; i++) {
    block(st, data + i * bs);
  }
  unsigned char tail[256];
  size_t rest = len - full * bs;
  memset(tail, 0, sizeof tail);
  if (rest) {
    memcpy(tail, data + full * bs, rest);
  }
  tail[rest] = 0x80;
  size_t total = rest + 1 + lenbytes <= bs ? bs : 2 * bs;
  uint64_t bits = (uint64_t)len * 8;
  for (size_t i = 0; i < 8; i++) {
    unsigned char byte = (unsigned char)(bits >> (8 * i));
    if (little) {
      tail[total - lenbytes + i] = byte;
    } else {
      tail[total - 1 - i] = byte;
    }
  }
  block(st, tail);
  if (total == 2 * bs) {
    block(st, tail + bs);
  }
}

/* ---- MD5 ---- */

typedef struct md5_state {
  uint32_t h[4];
  uint32_t k[64];
} md5_state;

static void md5_block(void *vs, const unsigned char *b)
{
  static const unsigned shifts[4][4] = {
      {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};
  md5_state *s = vs;
  uint32_t m[16];
  for (int i = 0; i < 16; i++) {
    m[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
           (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
  }
  uint32_t a = s->h[0];
  uint32_t bb = s->h[1];
  uint32_t c = s->h[2];
  uint32_t d = s->h[3];
  for (int i = 0; i < 64; i++) {
    uint32_t f;
    int g;
    switch (i / 16) {
    case 0:
      f = (bb & c) | (~bb & d);
      g = i;
      break;
    case 1:
      f = (d & bb) | (~d & c);
      g = (5 * i + 1) % 16;
      break;
    case 2:
      f = bb ^ c ^ d;
      g = (3 * i + 5) % 16;
      break;
    default:
      f = c ^ (bb | ~d);
      g = (7 * i) % 16;
      break;
    }
    f = f + a + s->k[i] + m[g];
    a = d;
    d = c;
    c = bb;
    bb = bb + rol32(f, shifts[i / 16][i % 4]);
  }
  s->h[0] += a;
  s->h[1] += bb;
  s->h[2] += c;
  s->h[3] += d;
}

void kg__md5_hex(const void *data, size_t len, char out[33])
{
  md5_state s = {{0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u}, {0}};
  for (int i = 0; i < 64; i++) {
    s.k[i] = (uint32_t)floor(fabs(sin((double)(i + 1))) * 4294967296.0);
  }
  pad_and_run(data, len, 64, 8, true, md5_block, &s);
  unsigned char d[16];
  for (int i = 0; i < 4; i++) {
    for (int j = 0; j < 4; j++) {
      d[4 * i + j] = (unsigned char)(s.h[i] >> (8 * j));
    }
  }
  hex(d, 16, out);
}

/* ---- SHA-1 ---- */

static void sha1_block(void *vs, const unsigned char *b)
{
  uint32_t *h = vs;
  uint32_t w[80];
  for (int i = 0; i < 16; i++) {
    w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
           (uint32_t)b[4 * i + 2] << 8 | (uint32_t)b[4 * i + 3];
  }
  for (int i = 16; i < 80; i++) {
    w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  }
  uint32_t a = h[0];
  uint32_t bb = h[1];
  uint32_t c = h[2];
  uint32_t d = h[3];
  uint32_t e = h[4];
  for (int i = 0; i < 80; i++) {
    uint32_t f;
    uint32_t k;
    if (i < 20) {
      f = (bb & c) | (~bb & d);
      k = 0x5A827999u;
    } else if (i < 40) {
      f = bb ^ c ^ d;
      k = 0x6ED9EBA1u;
    } else if (i < 60) {
      f = (bb & c) | (bb & d) | (c & d);
      k = 0x8F1BBCDCu;
    } else {
      f = bb ^ c ^ d;
      k = 0xCA62C1D6u;
    }
    uint32_t t = rol32(a, 5) + f + e + k + w[i];
    e = d;
    d = c;
    c = rol32(bb, 30);
    bb = a;
    a = t;
  }
  h[0] += a;
  h[1] += bb;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

static void be32(const uint32_t *h, size_t n, unsigned char *d)
{
  for (size_t i = 0; i < n; i++) {
    for (int j = 0; j < 4; j++) {
      d[4 * i + (size_t)j] = (unsigned char)(h[i] >> (24 - 8 * j));
    }
  }
}

void kg__sha1_hex(const void *data, size_t len, char out[41])
{
  uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u,
                   0xC3D2E1F0u};
  pad_and_run(data, len, 64, 8, false, sha1_block, h);
  unsigned char d[20];
  be32(h, 5, d);
  hex(d, 20, out);
}

/* ---- SHA-256 ---- */

static void sha256_block(void *vs, const unsigned char *b)
{
  uint32_t *h = vs;
  uint32_t w[64];
  for (int i = 0; i < 16; i++) {
    w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
           (uint32_t)b[4 * i + 2] << 8 | (uint32_t)b[4 * i + 3];
  }
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t v[8];
  memcpy(v, h, sizeof v);
  for (int i = 0; i < 64; i++) {
    uint32_t s1 = ror32(v[4], 6) ^ ror32(v[4], 11) ^ ror32(v[4], 25);
    uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
    uint32_t t1 = v[7] + s1 + ch + k256[i] + w[i];
    uint32_t s0 = ror32(v[0], 2) ^ ror32(v[0], 13) ^ ror32(v[0], 22);
    uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
    uint32_t t2 = s0 + maj;
    memmove(v + 1, v, 7 * sizeof *v);
    v[4] += t1;
    v[0] = t1 + t2;
  }
  for (int i = 0; i < 8; i++) {
    h[i] += v[i];
  }
}

void kg__sha256_hex(const void *data, size_t len, char out[65])
{
  uint32_t h[8];
  memcpy(h, h256, sizeof h);
  pad_and_run(data, len, 64, 8, false, sha256_block, h);
  unsigned char d[32];
  be32(h, 8, d);
  hex(d, 32, out);
}

/* ---- SHA-512 and SHA-384 ---- */

static void sha512_block(void *vs, const unsigned char *b)
{
  uint64_t *h = vs;
  uint64_t w[80];
  for (int i = 0; i < 16; i++) {
    w[i] = 0;
    for (int j = 0; j < 8; j++) {
      w[i] = (w[i] << 8) | b[8 * i + j];
    }
  }
  for (int i = 16; i < 80; i++) {
    uint64_t s0 = ror64(w[i - 15], 1) ^ ror64(w[i - 15], 8) ^ (w[i - 15] >> 7);
    uint64_t s1 = ror64(w[i - 2], 19) ^ ror64(w[i - 2], 61) ^ (w[i - 2] >> 6);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint64_t v[8];
  memcpy(v, h, sizeof v);
  for (int i = 0; i < 80; i++) {
    uint64_t s1 = ror64(v[4], 14) ^ ror64(v[4], 18) ^ ror64(v[4], 41);
    uint64_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
    uint64_t t1 = v[7] + s1 + ch + k512[i] + w[i];
    uint64_t s0 = ror64(v[0], 28) ^ ror64(v[0], 34) ^ ror64(v[0], 39);
    uint64_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
    uint64_t t2 = s0 + maj;
    memmove(v + 1, v, 7 * sizeof *v);
    v[4] += t1;
    v[0] = t1 + t2;
  }
  for (int i = 0; i < 8; i++) {
    h[i] += v[i];
  }
}

static void sha512_run(const uint64_t iv[8],
                       const void *data,
                       size_t len,
                       unsigned char d[64])
{
  uint64_t h[8];
  memcpy(h, iv, sizeof h);
  pad_and_run(data, len, 128, 16, false, sha512_block, h);
  for (int i = 0; i < 8; i++) {
    for (int j = 0; j < 8; j++) {
      d[8 * i + j] = (unsigned char)(h[i] >> (56 - 8 * j));
    }
  }
}

void kg__sha512_hex(const void *data, size_t len, char out[129])
{
  unsigned char d[64];
  sha512_run(h512, data, len, d);
  hex(d, 64, out);
}

void kg__sha384_hex(const void *data, size_t len, char out[97])
{
  unsigned char d[64];
  sha512_run(h384, data, len, d);
  hex(d, 48, out);
}
