import { refusal } from "@/lib/inapp/api";
import type { UploadRefusal } from "@/lib/documents/upload-contract";

/**
 * The one place an upload refusal becomes an HTTP status. Typed over the whole list, so a reason
 * added to the contract does not compile until it has a status here.
 */
const STATUS = {
  bad_request: 400,
  request_too_large: 413,
  empty: 400,
  not_found: 404,
  not_editable: 409,
  too_many_files: 409,
  not_uploaded: 409,
  expired: 410,
  // The retention purge erased the case: nothing of it comes back.
  case_erased: 410,
  // The file is kept, but what it was uploaded for changed meanwhile: the screen asks again.
  superseded: 409,
  // Chosen for what the case asked before it was sent or decided: the screen asks again.
  earlier_round: 409,
  // The selfie attempt is unknown, expired or spent: the screen starts a new one.
  challenge_invalid: 409,
  too_large: 413,
  unsupported_type: 415,
  // The bytes were read and refused (inspect.ts): the request was fine, the file is not.
  type_mismatch: 422,
  corrupt: 422,
  too_many_pixels: 422,
  pdf_encrypted: 422,
  pdf_active_content: 422,
  pdf_too_many_pages: 422,
  frame_repeated: 422,
  not_a_burst: 422,
} as const satisfies Record<UploadRefusal, number>;

export function refuseUpload(reason: UploadRefusal, message: string = reason): Response {
  return refusal(STATUS[reason], reason, message);
}
