import protobuf from 'protobufjs';

/**
 * pbbp2, the long connection's frame (§3.3), with proto2 semantics: the required fields are always
 * written, zeros included. node-sdk's decoder throws `missing required 'SeqID'` on a frame without
 * them (and 1.73.0 crashed the process on it), so a proto3-style encoder that drops zeros would break
 * every client.
 *
 *   message Header { required string key = 1; required string value = 2; }
 *   message Frame {
 *     required uint64 SeqID = 1;  required uint64 LogID = 2;
 *     required int32 service = 3; required int32 method = 4;   // method: 0 control, 1 data
 *     repeated Header headers = 5;
 *     optional string payload_encoding = 6; optional string payload_type = 7;
 *     optional bytes payload = 8;           optional string LogIDNew = 9; }
 */
const root = protobuf.Root.fromJSON({
  nested: {
    pbbp2: {
      nested: {
        Header: {
          fields: {
            key: { rule: 'required', type: 'string', id: 1 },
            value: { rule: 'required', type: 'string', id: 2 },
          },
        },
        Frame: {
          fields: {
            SeqID: { rule: 'required', type: 'uint64', id: 1 },
            LogID: { rule: 'required', type: 'uint64', id: 2 },
            service: { rule: 'required', type: 'int32', id: 3 },
            method: { rule: 'required', type: 'int32', id: 4 },
            headers: { rule: 'repeated', type: 'Header', id: 5 },
            payload_encoding: { type: 'string', id: 6 },
            payload_type: { type: 'string', id: 7 },
            payload: { type: 'bytes', id: 8 },
            LogIDNew: { type: 'string', id: 9 },
          },
        },
      },
    },
  },
});
const FrameType = root.lookupType('pbbp2.Frame');

export const FRAME_METHOD = { control: 0, data: 1 } as const;

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: Array<{ key: string; value: string }>;
  payload?: Uint8Array;
}

export function encodeFrame(frame: Frame): Uint8Array {
  return FrameType.encode(FrameType.fromObject(frame)).finish();
}

/** Throws on bytes that are not a complete pbbp2 Frame (a missing required field included). */
export function decodeFrame(bytes: Uint8Array): Frame {
  const message = FrameType.decode(bytes);
  const object = FrameType.toObject(message, { longs: Number, defaults: true, arrays: true }) as Frame;
  return { ...object, payload: object.payload?.length ? object.payload : undefined };
}

export function header(frame: Frame, key: string): string | undefined {
  return frame.headers.find((h) => h.key === key)?.value;
}
