-- The contacts an inbound message's sender may be: every number column whose digits are one of the
-- digit strings the sender's number can be written as (senderDigitForms), through the expression
-- indexes on phone_digits (V2__twilio.sql). The reader confirms each in E.164.
select 'RELATIONSHIP_PHONE_NUMBER' as source, contact_id, phone_number as stored
  from contact_relationship_profiles
 where phone_digits(phone_number) = any(:#senderDigitForms) and contact_id is not null
union all
select 'RELATIONSHIP_WHATSAPP_NUMBER', contact_id, whatsapp_number
  from contact_relationship_profiles
 where phone_digits(whatsapp_number) = any(:#senderDigitForms) and contact_id is not null
union all
select 'CONTACT_MOBILE', id, mobile from contacts where phone_digits(mobile) = any(:#senderDigitForms)
union all
select 'CONTACT_PHONE', id, phone from contacts where phone_digits(phone) = any(:#senderDigitForms)
