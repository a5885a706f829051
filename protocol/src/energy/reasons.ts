import { defineMessages } from '../i18n/index.js';

/**
 * Machine-readable reason codes of the Modbus layer and of meter/relay
 * configuration. The message id of a code is `reason.<code>` (events, stats) or
 * `error.<code>` (configuration mistakes a user must fix).
 */
export const MODBUS_REASONS = {
  timeout: 'modbus.timeout',
  crcError: 'modbus.crc_error',
  frameError: 'modbus.frame_error',
  exception: 'modbus.exception',
  linkDown: 'modbus.link_down',
  busStopped: 'modbus.bus_stopped',
  deviceOffline: 'modbus.device_offline',
  deviceOnline: 'modbus.device_online',
  pointUnsupported: 'modbus.point_unsupported',
} as const;
export type ModbusReason = (typeof MODBUS_REASONS)[keyof typeof MODBUS_REASONS];

/** Modbus exception codes (Modbus Application Protocol v1.1b3, section 7). */
export const MODBUS_EXCEPTION_CODES = {
  1: 'illegal_function',
  2: 'illegal_data_address',
  3: 'illegal_data_value',
  4: 'server_device_failure',
  5: 'acknowledge',
  6: 'server_device_busy',
  8: 'memory_parity_error',
  10: 'gateway_path_unavailable',
  11: 'gateway_target_failed',
} as const;

/** Reason code of an exception reply: "modbus.exception.2". */
export function exceptionReason(code: number): string {
  return `${MODBUS_REASONS.exception}.${code}`;
}

export const ENERGY_CONFIG_ERRORS = {
  unknownModel: 'energy.unknown_model',
  unknownPoint: 'energy.unknown_point',
  registerOutsideMap: 'energy.register_outside_map',
  registerUnreadable: 'energy.register_unreadable',
  invalidMap: 'energy.invalid_map',
  invalidDevice: 'energy.invalid_device',
  duplicateDevice: 'energy.duplicate_device',
  duplicateUnit: 'energy.duplicate_unit',
  invalidBus: 'energy.invalid_bus',
  relayChannel: 'energy.relay_channel',
  relayFlashTime: 'energy.relay_flash_time',
  relayWrongKind: 'energy.relay_wrong_kind',
} as const;
export type EnergyConfigErrorCode = (typeof ENERGY_CONFIG_ERRORS)[keyof typeof ENERGY_CONFIG_ERRORS];

export const modbusMessages = defineMessages({
  'reason.modbus.timeout': {
    'zh-CN': '总线 {busId} 上的设备 {unit} 在 {timeoutMs} 毫秒内没有应答',
    en: 'Device {unit} on bus {busId} did not answer within {timeoutMs} ms',
  },
  'reason.modbus.crc_error': {
    'zh-CN': '总线 {busId} 上的设备 {unit} 的应答校验（CRC）错误，检查接线、屏蔽和终端电阻',
    en: 'Reply from device {unit} on bus {busId} failed its CRC check; check wiring, shielding and termination',
  },
  'reason.modbus.frame_error': {
    'zh-CN': '总线 {busId} 上的设备 {unit} 的应答帧不完整或格式错误（{detail}）',
    en: 'Reply from device {unit} on bus {busId} was incomplete or malformed ({detail})',
  },
  'reason.modbus.exception': {
    'zh-CN': '总线 {busId} 上的设备 {unit} 拒绝了请求，异常码 {code}',
    en: 'Device {unit} on bus {busId} refused the request with exception code {code}',
  },
  'reason.modbus.exception.1': {
    'zh-CN': '设备 {unit} 不支持该功能码（异常码 1），检查型号和功能码设置',
    en: 'Device {unit} does not support this function code (exception 1); check the model and function code',
  },
  'reason.modbus.exception.2': {
    'zh-CN': '设备 {unit} 不存在所读的寄存器地址（异常码 2），检查寄存器表与固件版本',
    en: 'Device {unit} has no register at that address (exception 2); check the register map and firmware version',
  },
  'reason.modbus.exception.3': {
    'zh-CN': '设备 {unit} 不接受该数值（异常码 3）',
    en: 'Device {unit} does not accept that value (exception 3)',
  },
  'reason.modbus.exception.4': {
    'zh-CN': '设备 {unit} 内部故障（异常码 4）',
    en: 'Device {unit} reported an internal failure (exception 4)',
  },
  'reason.modbus.exception.6': {
    'zh-CN': '设备 {unit} 忙（异常码 6），稍后重试',
    en: 'Device {unit} is busy (exception 6); will retry later',
  },
  'reason.modbus.exception.10': {
    'zh-CN': '网关没有通往设备 {unit} 的路径（异常码 10），检查串口服务器配置',
    en: 'The gateway has no path to device {unit} (exception 10); check the serial server configuration',
  },
  'reason.modbus.exception.11': {
    'zh-CN': '网关后面的设备 {unit} 没有应答（异常码 11）',
    en: 'Device {unit} behind the gateway did not answer (exception 11)',
  },
  'reason.modbus.link_down': {
    'zh-CN': '总线 {busId} 的连接断开（{detail}），正在自动重连',
    en: 'Bus {busId} connection is down ({detail}); reconnecting automatically',
  },
  'reason.modbus.bus_stopped': {
    'zh-CN': '总线 {busId} 已停止',
    en: 'Bus {busId} has been stopped',
  },
  'reason.modbus.device_offline': {
    'zh-CN': '总线 {busId} 上的设备 {unit} 离线，{probeInSeconds} 秒后再试',
    en: 'Device {unit} on bus {busId} is offline; next try in {probeInSeconds} s',
  },
  'reason.modbus.device_online': {
    'zh-CN': '总线 {busId} 上的设备 {unit} 恢复在线',
    en: 'Device {unit} on bus {busId} is back online',
  },
  'reason.modbus.point_unsupported': {
    'zh-CN': '设备 {deviceId} 不支持测点 {point}（地址 {address}），已停止轮询该测点',
    en: 'Device {deviceId} does not support point {point} (address {address}); stopped polling it',
  },
});

export const energyConfigMessages = defineMessages({
  'error.energy.unknown_model': {
    'zh-CN': '设备 {deviceId}：未知的表计型号“{model}”。可用型号：{known}',
    en: 'Device {deviceId}: unknown meter model "{model}". Known models: {known}',
  },
  'error.energy.unknown_point': {
    'zh-CN': '设备 {deviceId}：型号 {model} 没有测点“{point}”。可用测点：{known}',
    en: 'Device {deviceId}: model {model} has no point "{point}". Available points: {known}',
  },
  'error.energy.register_outside_map': {
    'zh-CN': '设备 {deviceId}：测点 {point} 的寄存器 {table} {address} 不在型号 {model} 的寄存器表范围内',
    en: 'Device {deviceId}: point {point} names {table} register {address}, which is outside the register map of model {model}',
  },
  'error.energy.register_unreadable': {
    'zh-CN': '设备 {deviceId}：测点 {point} 的寄存器 {table} {address} 在型号 {model} 中标记为不可读',
    en: 'Device {deviceId}: point {point} names {table} register {address}, which model {model} marks as unreadable',
  },
  'error.energy.invalid_map': {
    'zh-CN': '寄存器表 {model} 无效：{detail}',
    en: 'Register map {model} is invalid: {detail}',
  },
  'error.energy.invalid_device': {
    'zh-CN': '设备 {deviceId} 的配置无效：{detail}',
    en: 'Device {deviceId} is configured wrongly: {detail}',
  },
  'error.energy.duplicate_device': {
    'zh-CN': '设备编号 {deviceId} 重复配置',
    en: 'Device id {deviceId} is configured twice',
  },
  'error.energy.duplicate_unit': {
    'zh-CN': '设备 {deviceId} 与 {otherId} 在同一总线上使用了相同的站号 {unit}',
    en: 'Devices {deviceId} and {otherId} use the same unit address {unit} on one bus',
  },
  'error.energy.invalid_bus': {
    'zh-CN': '总线 {busId} 的配置无效：{detail}',
    en: 'Bus {busId} is configured wrongly: {detail}',
  },
  'error.energy.relay_channel': {
    'zh-CN': '继电器板 {deviceId} 没有第 {channel} 路（共 {channels} 路，从 1 开始编号）',
    en: 'Relay board {deviceId} has no channel {channel} (it has {channels}, numbered from 1)',
  },
  'error.energy.relay_flash_time': {
    'zh-CN': '继电器板 {deviceId}：闪断时间 {ms} 毫秒超出范围（{min}–{max} 毫秒）',
    en: 'Relay board {deviceId}: flash time {ms} ms is out of range ({min}–{max} ms)',
  },
  'error.energy.relay_wrong_kind': {
    'zh-CN': '型号 {model} 不是继电器板，不能用作回路开关',
    en: 'Model {model} is not a relay board and cannot switch circuits',
  },
});
