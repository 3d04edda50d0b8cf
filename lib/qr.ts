/**
 * A QR code as an <img> source: SVG, so it stays sharp at any screen density and is drawn without
 * encoding a PNG in JavaScript on the request path.
 */
import QRCode from "qrcode";

export async function qrImage(text: string, size: number): Promise<string> {
  const svg = await QRCode.toString(text, { type: "svg", margin: 1, width: size });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}
