/*
 * kyc_image: the document check's one-decode path for JPEG photos (lib/documents/image-accelerator.ts).
 *
 * sharp cannot send one decode to two outputs, so the check used to decode every photo twice: once
 * for the re-encoded copy that is stored, once (reduced) for the quality raster. This addon runs the
 * same libvips pipeline as sharp's `sharp(jpeg, { autoOrient: true, failOn: "error" })
 * .jpeg({ quality })` against the libvips that sharp itself ships and has already loaded, with one
 * extra stage: a pass-through that box-averages the pixels into the quality raster while they
 * stream from the decoder to the encoder. The stored JPEG is byte-identical to sharp's
 * (tests/lib/documents/image-accelerator.test.ts); the raster is the definition in
 * lib/documents/box-raster.ts, which the sharp path computes too, so both paths score alike.
 *
 * What it accepts is narrow on purpose: an 8-bit, 3-band JPEG that needs no resize. Everything
 * else (PNG, WebP, HEIC, CMYK, greyscale, larger than the stored size) stays on the sharp path;
 * the caller decides from the header and this code re-checks before a pixel is decoded. It parses
 * nothing itself: the file goes to libvips's JPEG loader, exactly as with sharp.
 *
 * Security: the upload's bytes reach only libvips's JPEG loader, with sharp's guards (sequential
 * access, fail_on error, the pixel limit checked on the header before decoding, no cached result
 * of an earlier buffer). This file adds arithmetic on decoded pixels, bounded by the image's own
 * header: allocations are sized from width × height × bands after the limits above, the raster
 * is at most 4 MP, a block's sum is checked to fit 32 bits, each row is added at most once.
 * Errors come back as rejected promises with a code; nothing here aborts the process.
 *
 * Node-API only (no V8 or node headers beyond node_api.h), so one build serves every Node version
 * with that ABI. Built by scripts/native-build.mjs; not built means not used.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <node_api.h>
#include <vips/vips.h>

/* ---- the quality raster: step 1 of lib/documents/box-raster.ts, the same integer arithmetic ---- */

typedef struct {
  int width, height, bands;
  int factor;          /* block edge in input pixels, chosen by the caller (boxGeometry) */
  int out_w, out_h;    /* ceil(width / factor), ceil(height / factor) */
  uint32_t *sums;      /* out_w * out_h * bands, when factor > 1 */
  uint8_t *copy;       /* width * height * bands, when factor == 1: the raster is the image */
  uint8_t *row_seen;   /* height: each input row is added once, however often it is requested */
  int rows_added;
  GMutex lock;
} Raster;

static int raster_init(Raster *r, int width, int height, int bands, int factor) {
  memset(r, 0, sizeof *r);
  g_mutex_init(&r->lock);
  if (factor < 1) return -1;
  r->width = width;
  r->height = height;
  r->bands = bands;
  r->factor = factor;
  r->out_w = (width + factor - 1) / factor;
  r->out_h = (height + factor - 1) / factor;
  if (factor == 1)
    r->copy = malloc((size_t) width * height * bands);
  else
    r->sums = calloc((size_t) r->out_w * r->out_h * bands, sizeof(uint32_t));
  r->row_seen = calloc((size_t) height, 1);
  return (r->sums || r->copy) && r->row_seen ? 0 : -1;
}

static void raster_free(Raster *r) {
  free(r->sums);
  free(r->copy);
  free(r->row_seen);
  g_mutex_clear(&r->lock);
}

static void raster_add_row(Raster *r, const VipsPel *p, int y) {
  const int f = r->factor, bands = r->bands, width = r->width;
  if (r->copy) {
    memcpy(r->copy + (size_t) y * width * bands, p, (size_t) width * bands);
    return;
  }
  uint32_t *out = r->sums + (size_t) (y / f) * r->out_w * bands;
  for (int bx = 0; bx < r->out_w; bx++, out += bands) {
    int x0 = bx * f;
    int x1 = x0 + f < width ? x0 + f : width;
    const VipsPel *q = p + (size_t) x0 * bands;
    if (bands == 3) {
      uint32_t s0 = 0, s1 = 0, s2 = 0;
      for (int x = x0; x < x1; x++, q += 3) {
        s0 += q[0];
        s1 += q[1];
        s2 += q[2];
      }
      out[0] += s0;
      out[1] += s1;
      out[2] += s2;
    } else {
      for (int x = x0; x < x1; x++)
        for (int b = 0; b < bands; b++) out[b] += *q++;
    }
  }
}

/* Rounded mean of each block; a block at the right or bottom edge may hold fewer pixels. Hands
 * over ownership of the result. */
static uint8_t *raster_finish(Raster *r) {
  const int f = r->factor, bands = r->bands;
  if (r->copy) {
    uint8_t *copy = r->copy;
    r->copy = NULL;
    return copy;
  }
  uint8_t *out = malloc((size_t) r->out_w * r->out_h * bands);
  if (!out) return NULL;
  for (int by = 0; by < r->out_h; by++) {
    int rows = r->height - by * f < f ? r->height - by * f : f;
    for (int bx = 0; bx < r->out_w; bx++) {
      int cols = r->width - bx * f < f ? r->width - bx * f : f;
      uint32_t n = (uint32_t) rows * cols;
      size_t i = ((size_t) by * r->out_w + bx) * bands;
      for (int b = 0; b < bands; b++) out[i + b] = (uint8_t) ((r->sums[i + b] + n / 2) / n);
    }
  }
  return out;
}

/* The pass-through stage: hands the decoder's region on untouched and adds its rows to the raster. */
static int tee_generate(VipsRegion *out, void *seq, void *a, void *b, gboolean *stop) {
  VipsRegion *in = (VipsRegion *) seq;
  Raster *r = (Raster *) b;
  VipsRect *rect = &out->valid;
  (void) a;
  (void) stop;
  if (vips_region_prepare(in, rect) || vips_region_region(out, in, rect, rect->left, rect->top))
    return -1;
  g_mutex_lock(&r->lock);
  if (rect->left == 0 && rect->width == r->width) {
    for (int y = rect->top; y < VIPS_RECT_BOTTOM(rect); y++) {
      if (r->row_seen[y]) continue;
      r->row_seen[y] = 1;
      r->rows_added++;
      raster_add_row(r, VIPS_REGION_ADDR(in, 0, y), y);
    }
  }
  g_mutex_unlock(&r->lock);
  return 0;
}

/* Adds every row the tee has not seen, reading the image again in whole-width strips. */
static int raster_fill(Raster *r, VipsImage *image) {
  VipsRegion *region = vips_region_new(image);
  int status = 0;
  for (int top = 0; top < r->height && !status; top += 64) {
    VipsRect strip = {0, top, r->width, r->height - top < 64 ? r->height - top : 64};
    if (vips_region_prepare(region, &strip)) {
      status = -1;
      break;
    }
    for (int y = strip.top; y < VIPS_RECT_BOTTOM(&strip); y++) {
      if (r->row_seen[y]) continue;
      r->row_seen[y] = 1;
      r->rows_added++;
      raster_add_row(r, VIPS_REGION_ADDR(region, 0, y), y);
    }
  }
  g_object_unref(region);
  return status;
}

/* ---- the pipeline ------------------------------------------------------------------------------ */

typedef struct {
  /* input, owned by JS (kept alive by input_ref) */
  const void *data;
  size_t length;
  double max_pixels;
  int quality;
  int max_long_edge;
  int box_factor;
  /* output */
  void *jpeg;
  size_t jpeg_length;
  int width, height;
  uint8_t *raster;
  int raster_w, raster_h, raster_bands;
  const char *error_code; /* NULL on success */
  char *error;
  /* Node-API plumbing */
  napi_async_work work;
  napi_deferred deferred;
  napi_ref input_ref;
} Job;

static void job_fail(Job *job, const char *code, const char *message) {
  const char *detail = message ? message : vips_error_buffer();
  job->error_code = code;
  job->error = g_strdup(detail && *detail ? detail : "libvips failed without a message");
  vips_error_clear();
}

/* sharp's CalculateExifRotationAndFlop. */
static VipsAngle exif_angle(int orientation, gboolean *flop) {
  *flop = orientation == 2 || orientation == 4 || orientation == 5 || orientation == 7;
  switch (orientation) {
    case 3: case 4: return VIPS_ANGLE_D180;
    case 5: case 6: return VIPS_ANGLE_D90;
    case 7: case 8: return VIPS_ANGLE_D270;
    default: return VIPS_ANGLE_D0;
  }
}

static void run_job(Job *job) {
  VipsImage *context = vips_image_new();
  VipsImage **t = (VipsImage **) vips_object_local_array(VIPS_OBJECT(context), 8);
  VipsImage *image;
  Raster raster;
  gboolean raster_ready = FALSE;

  /* As sharp opens it: sequential, damaged data refused, never a cached result of another buffer. */
  if (vips_jpegload_buffer((void *) job->data, job->length, &t[0], "access", VIPS_ACCESS_SEQUENTIAL,
                           "fail_on", VIPS_FAIL_ON_ERROR, "revalidate", TRUE, NULL)) {
    job_fail(job, "DECODE", NULL);
    goto done;
  }
  image = t[0];
  if ((double) image->Xsize * image->Ysize > job->max_pixels) {
    job_fail(job, "DECODE", "Input image exceeds pixel limit");
    goto done;
  }
  if (image->Bands != 3 || image->BandFmt != VIPS_FORMAT_UCHAR ||
      image->Type != VIPS_INTERPRETATION_sRGB ||
      (image->Xsize > job->max_long_edge || image->Ysize > job->max_long_edge)) {
    job_fail(job, "NOT_ELIGIBLE", "not an 8-bit RGB JPEG within the stored size");
    goto done;
  }

  /* sharp: an embedded profile converts to sRGB; a profile lcms refuses is ignored with a warning. */
  if (vips_image_get_typeof(image, VIPS_META_ICC_NAME) == VIPS_TYPE_BLOB) {
    if (vips_icc_transform(image, &t[1], "srgb", "embedded", TRUE, "depth", 8, "intent",
                           VIPS_INTENT_PERCEPTUAL, NULL))
      vips_error_clear();
    else
      image = t[1];
  }

  /* sharp's auto-orientation: a quarter or half turn needs the whole image, so it is decoded into
   * memory first (sharp's StaySequential), then turned; a mirror alone streams. */
  int orientation = 0;
  if (vips_image_get_typeof(image, VIPS_META_ORIENTATION)) {
    if (vips_image_get_int(image, VIPS_META_ORIENTATION, &orientation)) orientation = 0;
  }
  gboolean flop = FALSE;
  VipsAngle angle = exif_angle(orientation, &flop);
  if (angle != VIPS_ANGLE_D0) {
    if (vips_image_is_sequential(image)) {
      if (!(t[2] = vips_image_copy_memory(image)) || vips_copy(t[2], &t[3], NULL)) {
        job_fail(job, "DECODE", NULL);
        goto done;
      }
      vips_image_remove(t[3], VIPS_META_SEQUENTIAL);
      image = t[3];
    }
    if (vips_rot(image, &t[4], angle, NULL)) {
      job_fail(job, "DECODE", NULL);
      goto done;
    }
    image = t[4];
  }
  if (flop) {
    if (vips_flip(image, &t[5], VIPS_DIRECTION_HORIZONTAL, NULL)) {
      job_fail(job, "DECODE", NULL);
      goto done;
    }
    image = t[5];
  }

  /* The caller's factor must give a small raster whose block sums fit 32 bits (boxGeometry's
   * always do: at most 2000 px on the long edge, blocks of at most 40 × 40 pixels). */
  {
    uint64_t f = (uint64_t) job->box_factor;
    uint64_t out_px = ((image->Xsize + f - 1) / f) * ((image->Ysize + f - 1) / f);
    uint64_t block = (f < (uint64_t) image->Xsize ? f : (uint64_t) image->Xsize) *
                     (f < (uint64_t) image->Ysize ? f : (uint64_t) image->Ysize);
    if (out_px > 4000000 || block * 255 > UINT32_MAX) {
      job_fail(job, "NOT_ELIGIBLE", "box factor out of range for this image");
      goto done;
    }
  }

  /* The tee, in display orientation: the raster sees the pixels the encoder sees. */
  if (raster_init(&raster, image->Xsize, image->Ysize, image->Bands, job->box_factor)) {
    raster_free(&raster);
    job_fail(job, "NO_MEMORY", "out of memory for the quality raster");
    goto done;
  }
  raster_ready = TRUE;
  t[6] = vips_image_new();
  if (vips_image_pipelinev(t[6], VIPS_DEMAND_STYLE_THINSTRIP, image, NULL) ||
      vips_image_generate(t[6], vips_start_one, tee_generate, vips_stop_one, image, &raster)) {
    job_fail(job, "DECODE", NULL);
    goto done;
  }

  /* sharp's jpegsave with its defaults for `.jpeg({ quality })`: nothing of the input is kept. */
  if (vips_jpegsave_buffer(t[6], &job->jpeg, &job->jpeg_length, "keep", VIPS_FOREIGN_KEEP_NONE,
                           "Q", job->quality, "interlace", FALSE, "subsample_mode",
                           VIPS_FOREIGN_SUBSAMPLE_ON, "trellis_quant", FALSE, "quant_table", 0,
                           "overshoot_deringing", FALSE, "optimize_scans", FALSE,
                           "optimize_coding", TRUE, NULL)) {
    job_fail(job, "DECODE", NULL);
    goto done;
  }
  job->width = t[6]->Xsize;
  job->height = t[6]->Ysize;
  /* A turned image reaches the encoder in tiles, not whole rows; it is in memory by now, so the
   * rows the tee could not add are read again from it. A streamed one cannot be read twice. */
  if (raster.rows_added < raster.height && !vips_image_is_sequential(image) &&
      raster_fill(&raster, image)) {
    job_fail(job, "DECODE", NULL);
    goto done;
  }
  /* Every row exactly once; otherwise the caller computes the raster itself. */
  if (raster.rows_added == raster.height) {
    job->raster = raster_finish(&raster);
    job->raster_w = raster.out_w;
    job->raster_h = raster.out_h;
    job->raster_bands = raster.bands;
  }

done:
  g_object_unref(context);
  if (raster_ready) raster_free(&raster);
}

/* ---- Node-API ---------------------------------------------------------------------------------- */

#define CHECK(call)                                                          \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error(env, "KYC_IMAGE_INTERNAL", "Node-API call failed: " #call); \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static void execute(napi_env env, void *data) {
  (void) env;
  run_job((Job *) data);
}

static void set_int(napi_env env, napi_value object, const char *name, int value) {
  napi_value v;
  if (napi_create_int32(env, value, &v) == napi_ok) napi_set_named_property(env, object, name, v);
}

static void complete(napi_env env, napi_status status, void *data) {
  Job *job = (Job *) data;
  napi_value result = NULL, value;
  if (status == napi_ok && !job->error_code && job->jpeg) {
    void *copy;
    napi_create_object(env, &result);
    if (napi_create_buffer_copy(env, job->jpeg_length, job->jpeg, &copy, &value) == napi_ok)
      napi_set_named_property(env, result, "jpeg", value);
    set_int(env, result, "width", job->width);
    set_int(env, result, "height", job->height);
    if (job->raster) {
      napi_value raster;
      napi_create_object(env, &raster);
      size_t n = (size_t) job->raster_w * job->raster_h * job->raster_bands;
      if (napi_create_buffer_copy(env, n, job->raster, &copy, &value) == napi_ok)
        napi_set_named_property(env, raster, "data", value);
      set_int(env, raster, "width", job->raster_w);
      set_int(env, raster, "height", job->raster_h);
      set_int(env, raster, "channels", job->raster_bands);
      napi_set_named_property(env, result, "raster", raster);
    } else {
      napi_get_null(env, &value);
      napi_set_named_property(env, result, "raster", value);
    }
    napi_resolve_deferred(env, job->deferred, result);
  } else {
    napi_value code, message, error;
    napi_create_string_utf8(env, job->error_code ? job->error_code : "KYC_IMAGE_INTERNAL",
                            NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, job->error ? job->error : "the image job did not run",
                            NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, code, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  napi_delete_reference(env, job->input_ref);
  napi_delete_async_work(env, job->work);
  g_free(job->jpeg);
  free(job->raster);
  g_free(job->error);
  free(job);
}

static int get_int_property(napi_env env, napi_value object, const char *name, double *out) {
  napi_value v;
  napi_valuetype type;
  if (napi_get_named_property(env, object, name, &v) != napi_ok) return -1;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_number) return -1;
  return napi_get_value_double(env, v, out) == napi_ok ? 0 : -1;
}

/* reencodeJpeg(jpeg: Buffer, options: { maxPixels, quality, maxLongEdge, boxFactor }): Promise */
static napi_value reencode_jpeg(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], promise, name;
  bool is_buffer = false;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || napi_is_buffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer) {
    napi_throw_type_error(env, NULL, "reencodeJpeg(buffer, options)");
    return NULL;
  }
  double max_pixels, quality, max_long_edge, box_factor;
  if (get_int_property(env, argv[1], "maxPixels", &max_pixels) ||
      get_int_property(env, argv[1], "quality", &quality) ||
      get_int_property(env, argv[1], "maxLongEdge", &max_long_edge) ||
      get_int_property(env, argv[1], "boxFactor", &box_factor) || quality < 1 ||
      quality > 100 || max_pixels < 1 || max_long_edge < 1 || box_factor < 1 ||
      box_factor > 100000 || max_long_edge > 100000) {
    napi_throw_range_error(env, NULL, "reencodeJpeg: options out of range");
    return NULL;
  }
  Job *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "NO_MEMORY", "out of memory");
    return NULL;
  }
  void *data;
  CHECK(napi_get_buffer_info(env, argv[0], &data, &job->length));
  job->data = data;
  job->max_pixels = max_pixels;
  job->quality = (int) quality;
  job->max_long_edge = (int) max_long_edge;
  job->box_factor = (int) box_factor;
  CHECK(napi_create_reference(env, argv[0], 1, &job->input_ref));
  CHECK(napi_create_promise(env, &job->deferred, &promise));
  CHECK(napi_create_string_utf8(env, "kycImageReencode", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_async_work(env, NULL, name, execute, complete, job, &job->work));
  CHECK(napi_queue_async_work(env, job->work));
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  /* sharp has initialised libvips already (this addon is loaded after it); VIPS_INIT is a no-op
   * then, and makes the addon safe to load on its own. */
  if (VIPS_INIT("kyc_image")) {
    napi_throw_error(env, "KYC_IMAGE_INIT", vips_error_buffer());
    return NULL;
  }
  napi_value fn, version;
  CHECK(napi_create_function(env, "reencodeJpeg", NAPI_AUTO_LENGTH, reencode_jpeg, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "reencodeJpeg", fn));
  CHECK(napi_create_string_utf8(env, vips_version_string(), NAPI_AUTO_LENGTH, &version));
  CHECK(napi_set_named_property(env, exports, "libvipsVersion", version));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
