/** Reads at most `max` bytes of a body and says whether there was more. */
export async function readCapped(response: Response, max: number): Promise<{ text: string; overflow: boolean }> {
  if (!response.body) return { text: '', overflow: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let overflow = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        chunks.push(value.subarray(0, value.byteLength - (size - max)));
        overflow = true;
        break;
      }
      chunks.push(value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks)), overflow };
}
