/** Media on a phone as tests put it there: a file in the camera folder, scanned; its media store id. */
export async function addVideo(sh: (cmd: string) => Promise<string>, name: string): Promise<number> {
  await sh(`echo data > /sdcard/DCIM/Camera/${name}`);
  await sh(`content call --uri content://media --method scan_file --arg /sdcard/DCIM/Camera/${name}`);
  const q = await sh(
    `content query --uri content://media/external/video/media --projection _id --where "_display_name='${name}'"`,
  );
  return Number(/_id=(\d+)/.exec(q)?.[1]);
}
