// The example body of the API reference this service implements (POST /api/v1/task), as published.
export const SEED_EXAMPLE = `{
    "serials": ["device_serial_1"],
    "script_name": "post",
    "script_config": {
      "content_type": 0,
      "captions": "¡Mira mi nuevo video! #viral #trending",
      "material_list": ["C:/Videos/video1.mp4"],
      "upload_wait_time": 60
    }
  }`;
