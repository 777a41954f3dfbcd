import { describe, expect, it } from 'vitest'
import { compareDecimal, formatArea, formatMoney, formatQuantity, percentOf, sumDecimals } from './decimal'

describe('formatMoney', () => {
  it('groups thousands and shows two places', () => {
    expect(formatMoney('633736.50')).toBe('633,736.50')
    expect(formatMoney('838336.5')).toBe('838,336.50')
    expect(formatMoney('1234')).toBe('1,234.00')
    expect(formatMoney('0.00')).toBe('0.00')
    expect(formatMoney('999')).toBe('999.00')
    expect(formatMoney('1000')).toBe('1,000.00')
  })

  it('stays exact beyond what a float can hold', () => {
    expect(formatMoney('12345678901234567.89')).toBe('12,345,678,901,234,567.89')
    expect(formatMoney('0.10')).toBe('0.10')
    // 1.005 is 1.00499999… as a float; the string is rounded as written.
    expect(formatMoney('1.005')).toBe('1.01')
    expect(formatMoney('2.675')).toBe('2.68')
  })

  it('handles signs', () => {
    expect(formatMoney('-1234.5')).toBe('-1,234.50')
    expect(formatMoney('-0.001')).toBe('0.00')
    expect(formatMoney('+7')).toBe('7.00')
  })

  it('shows a dash for nothing or garbage', () => {
    expect(formatMoney(null)).toBe('—')
    expect(formatMoney(undefined)).toBe('—')
    expect(formatMoney('abc')).toBe('—')
    expect(formatMoney('1,234.00')).toBe('—')
    expect(formatMoney('')).toBe('—')
  })
})

describe('formatQuantity', () => {
  it('drops trailing zeros and groups thousands', () => {
    expect(formatQuantity('300.000')).toBe('300')
    expect(formatQuantity('9300.000')).toBe('9,300')
    expect(formatQuantity('624.16')).toBe('624.16')
    expect(formatQuantity('300000.500')).toBe('300,000.5')
    expect(formatQuantity('0.000')).toBe('0')
    expect(formatQuantity(null)).toBe('—')
  })
})

describe('compareDecimal', () => {
  it('compares exactly, whatever the scale', () => {
    expect(compareDecimal('10.00', '9.99')).toBe(1)
    expect(compareDecimal('9.5', '9.50')).toBe(0)
    expect(compareDecimal('-1', '0.00')).toBe(-1)
    expect(compareDecimal('12345678901234567.01', '12345678901234567.00')).toBe(1)
  })
  it('sorts missing values first', () => {
    expect(compareDecimal(null, '1')).toBe(-1)
    expect(compareDecimal('1', undefined)).toBe(1)
    expect(compareDecimal(null, null)).toBe(0)
  })
})

describe('sumDecimals', () => {
  it('adds exactly', () => {
    expect(sumDecimals(['0.10', '0.20'])).toBe('0.30')
    expect(sumDecimals(['838336.50', '76600.00', '1.005'])).toBe('914937.505')
    expect(sumDecimals([])).toBe('0')
    expect(sumDecimals([null, '5.00'])).toBe('5.00')
    expect(sumDecimals(['-3.50', '1.25'])).toBe('-2.25')
  })
})

describe('percentOf', () => {
  it('rounds to a whole percentage within 0..100', () => {
    expect(percentOf('150.000', '300.000')).toBe(50)
    expect(percentOf('300.000', '300.000')).toBe(100)
    expect(percentOf('1', '3')).toBe(33)
    expect(percentOf('2', '3')).toBe(67)
    expect(percentOf('5', '0')).toBe(0)
    expect(percentOf(null, '3')).toBe(0)
  })
})

describe('formatArea', () => {
  it('keeps two places as land registers do', () => {
    expect(formatArea('6.7')).toBe('6.70')
    expect(formatArea('624.16')).toBe('624.16')
    expect(formatArea('1234.5')).toBe('1,234.50')
  })
})
